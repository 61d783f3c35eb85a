package nl.omzien.activities;

import java.util.UUID;
import nl.omzien.activities.Activity.Accessibility;
import nl.omzien.activities.Activity.Cost;

/**
 * An activity as an organiser submits it (create or full replace), already checked against the contract.
 *
 * @param capacity seats per session (1..500)
 */
public record ActivityDraft(String title, String description, Category category, UUID venueId, Schedule schedule,
                            Cost cost, Accessibility accessibility, int capacity) {
}
