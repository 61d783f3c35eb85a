package nl.omzien.activities;

import io.vertx.core.Future;
import io.vertx.sqlclient.SqlConnection;
import java.nio.charset.StandardCharsets;
import java.time.DayOfWeek;
import java.time.LocalDate;
import java.time.LocalTime;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import nl.omzien.activities.Activity.Accessibility;
import nl.omzien.activities.Activity.Cost;
import nl.omzien.demo.DemoUsers;
import nl.omzien.geo.AreaIndex;

/**
 * Demo buurtcentra and their weekly activities, loaded inside the demo seed's transaction.
 * <p>
 * SYNTHETIC DATA: there is no public list of Utrecht's buurtcentra to load, so there is one invented
 * "Buurtcentrum &lt;buurt name&gt;" per wijk, placed at the CBS centroid of that wijk's most populous buurt
 * (CBS 2024, {@code geo/buurt_centroids_2024.csv}; {@code ActivitiesDemoTest} checks these constants against
 * {@link AreaIndex}). Names, times and prices are made up. The demo organiser Ilse is a member of the Overvecht
 * one.
 */
public final class ActivitiesDemo {

  /** A wijk's most populous buurt and its centroid (degrees). */
  record Site(String wijkCode, String wijkName, String buurtCode, String buurtName, double lat, double lon) {
  }

  static final List<Site> SITES = List.of(
      new Site("WK034401", "West", "BU03440131", "Nieuw Engeland, Th. a. Kempisplantsoen en omgeving", 52.095341, 5.091),
      new Site("WK034402", "Noordwest", "BU03440222", "Ondiep", 52.106612, 5.101195),
      new Site("WK034403", "Overvecht", "BU03440331", "Vechtzoom-zuid", 52.116426, 5.101547),
      new Site("WK034404", "Noordoost", "BU03440421", "Tuindorp en Van Lieflandlaan-West", 52.107642, 5.127428),
      new Site("WK034405", "Oost", "BU03440512", "Oudwijk", 52.088025, 5.13584),
      new Site("WK034406", "Binnenstad", "BU03440622", "Breedstraat en Plompetorengracht en omgeving", 52.095796,
          5.12121),
      new Site("WK034407", "Zuid", "BU03440712", "Lunetten-Zuid", 52.059177, 5.13699),
      new Site("WK034408", "Zuidwest", "BU03440812", "Rivierenwijk", 52.073255, 5.11519),
      new Site("WK034409", "Leidsche Rijn", "BU03440921", "Het Zand-West", 52.096417, 5.039585),
      new Site("WK034410", "Vleuten-De Meern", "BU03441024", "Veldhuizen", 52.081157, 5.01489));

  private record Template(String title, String description, Category category, DayOfWeek day, String start,
                          String end, int priceCents, boolean uPas, boolean wheelchair, boolean hearingLoop,
                          int capacity) {
  }

  private static final List<Template> TEMPLATES = List.of(
      new Template("Koffieochtend", "Binnenlopen voor koffie, thee en een praatje.", Category.OPEN_INLOOP,
          DayOfWeek.TUESDAY, "10:00", "11:30", 0, false, true, true, 40),
      new Template("Samen eten", "Een warme maaltijd aan lange tafels; aanmelden vooraf.", Category.MAALTIJD,
          DayOfWeek.THURSDAY, "17:30", "19:30", 450, true, true, false, 24),
      new Template("Stoelyoga", "Rustig bewegen op een stoel, voor elk niveau.", Category.BEWEGEN,
          DayOfWeek.MONDAY, "14:00", "15:00", 200, true, true, false, 15),
      new Template("Digicafé", "Hulp bij je telefoon, tablet en DigiD.", Category.DIGITAAL,
          DayOfWeek.WEDNESDAY, "13:30", "15:30", 0, false, true, true, 12),
      new Template("Schilderen en tekenen", "Creatieve ochtend; materiaal is er.", Category.CREATIEF,
          DayOfWeek.FRIDAY, "10:00", "12:00", 300, true, false, false, 10));

  private ActivitiesDemo() {
  }

  /** The demo organisation id of the buurtcentrum in a wijk. */
  public static UUID organisationIdFor(String wijkCode) {
    return id("organisation:" + wijkCode);
  }

  /** Inserts the demo buurtcentra, venues, activities and Ilse's membership on this (transaction's) connection. */
  public static Future<Void> load(SqlConnection connection) {
    LocalDate today = LocalDate.now(Schedule.ZONE);
    Future<Void> chain = Future.succeededFuture();
    for (int i = 0; i < SITES.size(); i++) {
      Site site = SITES.get(i);
      int skipped = i % TEMPLATES.size();
      chain = chain.compose(v -> loadSite(connection, site, skipped, today));
    }
    return chain
        .compose(v -> ActivityStore.addMember(connection, organisationIdFor("WK034403"), DemoUsers.idFor("ilse")));
  }

  private static Future<Void> loadSite(SqlConnection connection, Site site, int skippedTemplate, LocalDate today) {
    UUID organisationId = organisationIdFor(site.wijkCode());
    UUID venueId = id("venue:" + site.wijkCode());
    String name = "Buurtcentrum " + site.buurtName();
    AreaIndex.Area area = new AreaIndex.Area(site.buurtCode(), site.buurtName(), site.wijkCode(), site.wijkName(), 0);
    Future<Void> chain = ActivityStore.insertOrganisation(connection, organisationId, name, "buurtcentrum")
        .compose(organisation -> ActivityStore.insertVenue(connection, venueId, organisationId,
            new VenueDraft(name, null, site.lat(), site.lon()), area))
        .mapEmpty();
    for (int t = 0; t < TEMPLATES.size(); t++) {
      if (t == skippedTemplate) {
        continue;
      }
      Template template = TEMPLATES.get(t);
      ActivityDraft draft = draft(template, venueId, today);
      UUID activityId = id("activity:" + site.wijkCode() + ":" + t);
      chain = chain.compose(v -> ActivityStore.insertActivity(connection, activityId, organisationId, draft,
          DemoUsers.idFor("admin"), Optional.empty()).mapEmpty());
    }
    return chain;
  }

  private static ActivityDraft draft(Template template, UUID venueId, LocalDate today) {
    Schedule schedule = new Schedule.Weekly(template.day(), LocalTime.parse(template.start()),
        LocalTime.parse(template.end()), today, today.plusYears(1));
    return new ActivityDraft(template.title(), template.description(), template.category(), venueId, schedule,
        new Cost(template.priceCents(), template.uPas()),
        new Accessibility(template.wheelchair(), template.hearingLoop()), template.capacity());
  }

  private static UUID id(String name) {
    return UUID.nameUUIDFromBytes(("omzien-demo-" + name).getBytes(StandardCharsets.UTF_8));
  }
}
