package nl.omzien.matching;

import java.time.LocalDate;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * What matching needs to know about one volunteer, immutable, held in the {@link VolunteerIndex}. A
 * read-optimised copy of {@code volunteer_profile} and {@code volunteer_availability}.
 *
 * @param seq          the profile's numeric key in the index
 * @param travelMeters how far they will travel
 * @param transport    bit set of {@link #CAR}, {@link #WHEELCHAIR_CAR}, {@link #BIKE}, {@link #ON_FOOT}
 * @param skills       skill codes (e.g. {@code dementia_experience})
 * @param languages    ISO 639-1 codes
 * @param vogIssuedOn  issue date of their VOG, or null
 * @param slots        weekly availability as {@link WeekMinutes} intervals {@code [start0, end0, ...]}; kept
 *                     {@linkplain WeekMinutes#normalise normalised} (merged, over two weeks)
 * @param version      the profile's {@code updated_at} in microseconds; newer wins when writes race
 */
public record VolunteerCard(UUID id, long seq, double lat, double lon, double travelMeters, int transport,
                            Set<String> skills, Set<String> languages, LocalDate vogIssuedOn, int weeklyCap,
                            boolean paused, int[] slots, long version) {
  public static final int CAR = 1;
  public static final int WHEELCHAIR_CAR = 2;
  public static final int BIKE = 4;
  public static final int ON_FOOT = 8;

  public VolunteerCard {
    slots = WeekMinutes.normalise(slots);
    skills = Set.copyOf(skills);
    languages = Set.copyOf(languages);
  }

  public static int transportBits(List<String> transport) {
    int bits = 0;
    for (String t : transport) {
      bits |= switch (t) {
        case "car" -> CAR;
        case "wheelchair_car" -> WHEELCHAIR_CAR | CAR;
        case "bike" -> BIKE;
        case "on_foot" -> ON_FOOT;
        default -> 0;
      };
    }
    return bits;
  }

  public boolean has(int transportBit) {
    return (transport & transportBit) == transportBit;
  }
}
