package nl.omzien.demo;

import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.function.ToIntFunction;
import nl.omzien.geo.AreaIndex;
import nl.omzien.geo.AreaIndex.Buurt;
import nl.omzien.geo.GeoPoint;

/**
 * Synthetic residents and volunteers placed like Utrecht's real population (CBS 2024): residents who ask for help
 * are drawn per buurt in proportion to its inhabitants aged 65+, volunteers in proportion to all inhabitants;
 * each is put at a uniformly random point inside their buurt's polygon. Deterministic for a given seed.
 * Names are invented; addresses are labelled as demo addresses.
 */
public final class DemoPopulation {

  /** A synthetic resident: id, first name, address text, point and buurt. */
  public record Resident(UUID id, String name, String address, GeoPoint home, Buurt buurt) {
  }

  /** A synthetic volunteer and what they offer. */
  public record Volunteer(UUID id, String name, GeoPoint home, Buurt buurt, double travelKm, Set<String> transport,
                          Set<String> skills, Set<String> languages, LocalDate vogIssuedOn, int weeklyCap,
                          List<Slot> availability) {
  }

  /** A weekly availability slot in local time; ISO day (1 = Monday). */
  public record Slot(int dayOfWeek, LocalTime start, LocalTime end) {
  }

  private static final String[] NAMES = {"Anneke", "Bram", "Cor", "Dirk", "Els", "Fatma", "Gerrit", "Hanneke",
      "Ilse", "Jan", "Kees", "Lotte", "Mohamed", "Nel", "Oscar", "Petra", "Rik", "Saskia", "Truus", "Wim",
      "Yara", "Zeynep", "Ahmed", "Bep", "Daan", "Emma", "Fleur", "Henk", "Jolanda", "Marieke", "Noor", "Sem"};
  private static final String[] SKILLS = {"dementia_experience", "first_aid", "mobility_support", "digital_help",
      "cooking", "walking_companion"};

  private DemoPopulation() {
  }

  /** The demo's id namespace; the history generator uses its own so both can share a database. */
  static final String DEMO_NAMESPACE = "omzien-demo-synthetic";

  public static List<Resident> residents(AreaIndex areas, int count, long seed) {
    return residents(areas, count, seed, DEMO_NAMESPACE);
  }

  /** As {@link #residents(AreaIndex, int, long)}, with ids derived from {@code namespace}. */
  public static List<Resident> residents(AreaIndex areas, int count, long seed, String namespace) {
    SplittableRandom random = new SplittableRandom(seed);
    List<Resident> residents = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      Buurt buurt = pick(areas.buurten(), Buurt::population65Plus, random);
      GeoPoint home = areas.randomPointIn(buurt, random);
      String name = NAMES[random.nextInt(NAMES.length)];
      residents.add(new Resident(id(namespace, "resident", i), name,
          "Demo-adres " + (1 + random.nextInt(200)) + ", " + buurt.name() + ", Utrecht", home, buurt));
    }
    return residents;
  }

  public static List<Volunteer> volunteers(AreaIndex areas, int count, long seed, LocalDate today) {
    return volunteers(areas, count, seed, today, DEMO_NAMESPACE);
  }

  /** As {@link #volunteers(AreaIndex, int, long, LocalDate)}, with ids derived from {@code namespace}. */
  public static List<Volunteer> volunteers(AreaIndex areas, int count, long seed, LocalDate today,
                                           String namespace) {
    SplittableRandom random = new SplittableRandom(seed ^ 0x5DEECE66DL);
    List<Volunteer> volunteers = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      Buurt buurt = pick(areas.buurten(), Buurt::population, random);
      GeoPoint home = areas.randomPointIn(buurt, random);
      Set<String> transport = random.nextInt(100) < 45
          ? (random.nextInt(100) < 10 ? Set.of("car", "wheelchair_car") : Set.of("car", "bike"))
          : (random.nextBoolean() ? Set.of("bike") : Set.of("on_foot"));
      Set<String> skills = Set.of(SKILLS[random.nextInt(SKILLS.length)]);
      Set<String> languages = random.nextInt(100) < 25 ? Set.of("nl", "en") : Set.of("nl");
      // About 60 % hold a VOG; some are older than the default three-year validity.
      LocalDate vog = random.nextInt(100) < 60 ? today.minusDays(random.nextInt(4 * 365)) : null;
      List<Slot> slots = new ArrayList<>();
      int day = 1 + random.nextInt(7);
      slots.add(new Slot(day, LocalTime.of(9 + random.nextInt(4), 0), LocalTime.of(14 + random.nextInt(4), 0)));
      if (random.nextBoolean()) {
        slots.add(new Slot(1 + (day % 7), LocalTime.of(13, 0), LocalTime.of(17, 30)));
      }
      volunteers.add(new Volunteer(id(namespace, "volunteer", i), NAMES[random.nextInt(NAMES.length)], home, buurt,
          transport.contains("car") ? 10 + random.nextInt(11) : 2 + random.nextInt(4), transport, skills, languages,
          vog, 2 + random.nextInt(3), slots));
    }
    return volunteers;
  }

  private static UUID id(String namespace, String kind, int i) {
    return UUID.nameUUIDFromBytes((namespace + ":" + kind + ":" + i).getBytes(StandardCharsets.UTF_8));
  }

  private static Buurt pick(List<Buurt> buurten, ToIntFunction<Buurt> weight, SplittableRandom random) {
    long total = 0;
    for (Buurt buurt : buurten) {
      total += Math.max(0, weight.applyAsInt(buurt));
    }
    long ticket = random.nextLong(total);
    for (Buurt buurt : buurten) {
      ticket -= Math.max(0, weight.applyAsInt(buurt));
      if (ticket < 0) {
        return buurt;
      }
    }
    return buurten.get(buurten.size() - 1);
  }
}
