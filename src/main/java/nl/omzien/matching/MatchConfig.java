package nl.omzien.matching;

import java.time.Duration;
import java.time.Period;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import nl.omzien.config.ConfigException;
import nl.omzien.config.OmzienConfig;

/**
 * How matching behaves. Read once from environment variables (README "Configuration").
 *
 * @param weights        score weights ({@code OMZIEN_MATCH_WEIGHTS}, e.g.
 *                       {@code distance=0.35,availability=0.15,continuity=0.2,fairness=0.2,skills=0.1}); they
 *                       are normalised to sum to 1
 * @param firstRoundSize volunteers asked in round 1 ({@code OMZIEN_MATCH_FIRST_ROUND}, default 3); later rounds
 *                       ask more (see {@link #roundSize})
 * @param rounds         offer rounds before escalation to the wijk's ambassadors ({@code OMZIEN_MATCH_ROUNDS},
 *                       default 3)
 * @param tick           how often the worker looks for due rounds ({@code OMZIEN_MATCH_TICK_MS}, default 1000;
 *                       0 disables the timer, tests then call the worker themselves)
 * @param vogValidity    how long a VOG counts as valid after its issue date ({@code OMZIEN_VOG_VALID_MONTHS},
 *                       default 36, as the organisation sets it)
 * @param contactGrace   how long after completion the exact address and phone stay visible to the other party
 *                       ({@code OMZIEN_CONTACT_GRACE_HOURS}, default 72)
 */
public record MatchConfig(Map<String, Double> weights, int firstRoundSize, int rounds, Duration tick,
                          Period vogValidity, Duration contactGrace) {
  public static final String DISTANCE = "distance";
  public static final String AVAILABILITY = "availability";
  public static final String CONTINUITY = "continuity";
  public static final String FAIRNESS = "fairness";
  public static final String SKILLS = "skills";
  private static final String[] PARTS = {DISTANCE, AVAILABILITY, CONTINUITY, FAIRNESS, SKILLS};

  public MatchConfig {
    double sum = 0;
    for (String part : PARTS) {
      sum += weights.getOrDefault(part, 0.0);
    }
    if (!(sum > 0)) {
      throw new ConfigException("OMZIEN_MATCH_WEIGHTS must give at least one part a positive weight");
    }
    Map<String, Double> normalised = new LinkedHashMap<>();
    for (String part : PARTS) {
      normalised.put(part, weights.getOrDefault(part, 0.0) / sum);
    }
    weights = Map.copyOf(normalised);
  }

  public static MatchConfig defaults() {
    return from(Map.of());
  }

  public static MatchConfig from(Map<String, String> env) {
    return new MatchConfig(
        weights(env.getOrDefault("OMZIEN_MATCH_WEIGHTS",
            "distance=0.35,availability=0.15,continuity=0.2,fairness=0.2,skills=0.1")),
        OmzienConfig.integer(env, "OMZIEN_MATCH_FIRST_ROUND", 3, 1, 100),
        OmzienConfig.integer(env, "OMZIEN_MATCH_ROUNDS", 3, 1, 10),
        Duration.ofMillis(OmzienConfig.integer(env, "OMZIEN_MATCH_TICK_MS", 1000, 0, 3_600_000)),
        Period.ofMonths(OmzienConfig.integer(env, "OMZIEN_VOG_VALID_MONTHS", 36, 1, 240)),
        Duration.ofHours(OmzienConfig.integer(env, "OMZIEN_CONTACT_GRACE_HOURS", 72, 0, 24 * 90)));
  }

  public MatchConfig withTick(Duration newTick) {
    return new MatchConfig(weights, firstRoundSize, rounds, newTick, vogValidity, contactGrace);
  }

  public double weight(String part) {
    return weights.get(part);
  }

  /** Volunteers asked in round {@code round} (1-based): the first round's size, growing by half each round. */
  public int roundSize(int round) {
    return (int) Math.ceil(firstRoundSize * Math.pow(1.5, round - 1));
  }

  /**
   * How long a round may wait for an answer before the next one starts, by kind and urgency: an urgent ride
   * waits 10 minutes, a weekly visit hours.
   */
  public static Duration roundTime(String kind, String urgency) {
    return switch (kind) {
      case "transport" -> switch (urgency) {
        case "high" -> Duration.ofMinutes(10);
        case "normal" -> Duration.ofHours(1);
        default -> Duration.ofHours(4);
      };
      case "respite" -> switch (urgency) {
        case "high" -> Duration.ofMinutes(30);
        case "normal" -> Duration.ofHours(3);
        default -> Duration.ofHours(12);
      };
      default -> switch (urgency) {
        case "high" -> Duration.ofHours(1);
        case "normal" -> Duration.ofHours(6);
        default -> Duration.ofHours(24);
      };
    };
  }

  /** The search radius of round 1 by kind; each later round widens it by half of that. */
  public static double baseRadiusMeters(String kind) {
    return switch (kind) {
      case "transport", "respite" -> 5_000;
      default -> 3_000;
    };
  }

  public double radiusMeters(String kind, int round) {
    return baseRadiusMeters(kind) * (1 + 0.5 * (round - 1));
  }

  /**
   * How long before the help is due matching must have succeeded; after that the request goes to the
   * ambassadors, who still have time to arrange something.
   */
  public static Duration lead(String kind) {
    return kind.equals("transport") ? Duration.ofMinutes(30) : Duration.ofHours(2);
  }

  private static Map<String, Double> weights(String raw) {
    Map<String, Double> weights = new LinkedHashMap<>();
    for (String pair : raw.split(",")) {
      String[] kv = pair.split("=", 2);
      String name = kv[0].trim().toLowerCase(Locale.ROOT);
      if (kv.length != 2 || !java.util.Arrays.asList(PARTS).contains(name)) {
        throw new ConfigException("OMZIEN_MATCH_WEIGHTS must be name=weight pairs of " + String.join(", ", PARTS)
            + ", got '" + raw + "'");
      }
      try {
        double value = Double.parseDouble(kv[1].trim());
        if (!(value >= 0 && value <= 100)) {
          throw new NumberFormatException();
        }
        weights.put(name, value);
      } catch (NumberFormatException e) {
        throw new ConfigException("OMZIEN_MATCH_WEIGHTS: the weight of " + name + " must be a number from 0 to 100");
      }
    }
    return weights;
  }
}
