package nl.omzien.matching;

import io.vertx.core.json.JsonObject;

/**
 * Why a volunteer ranks where they do: five parts, each 0..1, weighted by configuration. The breakdown is
 * stored with every offer and shown to ambassadors, so every match can be explained.
 *
 * @param distance     1 at the request's point, 0 at the edge of the search radius
 * @param availability how roomily the volunteer's week covers the request (see {@link CandidateQuery})
 * @param continuity   1 when this volunteer helped this resident before (a known face), else 0
 * @param fairness     1 for a volunteer with no tasks in the last 28 days, falling to 0 at 8 or more
 * @param skills       the share of helpful extra skills they have (1 when none are asked for)
 */
public record Score(double distance, double availability, double continuity, double fairness, double skills,
                    double total, int distanceMeters, int recentTasks) {
  static final int FAIRNESS_HORIZON_TASKS = 8;

  public static Score of(MatchConfig config, CandidateQuery query, VolunteerCard card, double distanceMeters,
                         boolean knownFace, int recentTasks) {
    double distance = Math.max(0, 1 - distanceMeters / query.radiusMeters());
    double availability = query.availabilityFit(card);
    double continuity = knownFace ? 1 : 0;
    double fairness = 1 - Math.min(recentTasks, FAIRNESS_HORIZON_TASKS) / (double) FAIRNESS_HORIZON_TASKS;
    double skills = query.skillsFit(card);
    double total = config.weight(MatchConfig.DISTANCE) * distance
        + config.weight(MatchConfig.AVAILABILITY) * availability
        + config.weight(MatchConfig.CONTINUITY) * continuity
        + config.weight(MatchConfig.FAIRNESS) * fairness
        + config.weight(MatchConfig.SKILLS) * skills;
    return new Score(distance, availability, continuity, fairness, skills, round(total),
        (int) Math.round(distanceMeters), recentTasks);
  }

  /** The breakdown as stored with the offer and shown to ambassadors. */
  public JsonObject toJson(MatchConfig config) {
    return new JsonObject()
        .put("total", total)
        .put("distanceMeters", distanceMeters)
        .put("recentTasks", recentTasks)
        .put("parts", new JsonObject()
            .put(MatchConfig.DISTANCE, part(config, MatchConfig.DISTANCE, distance))
            .put(MatchConfig.AVAILABILITY, part(config, MatchConfig.AVAILABILITY, availability))
            .put(MatchConfig.CONTINUITY, part(config, MatchConfig.CONTINUITY, continuity))
            .put(MatchConfig.FAIRNESS, part(config, MatchConfig.FAIRNESS, fairness))
            .put(MatchConfig.SKILLS, part(config, MatchConfig.SKILLS, skills)));
  }

  private static JsonObject part(MatchConfig config, String name, double value) {
    return new JsonObject().put("score", round(value)).put("weight", round(config.weight(name)));
  }

  private static double round(double value) {
    return Math.round(value * 1000) / 1000.0;
  }
}
