package nl.omzien.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import nl.omzien.auth.Role;
import nl.omzien.client.ApiClient;
import nl.omzien.client.ApiException;
import nl.omzien.client.api.ActivitiesApi;
import nl.omzien.client.api.MatchingApi;
import nl.omzien.client.api.MeApi;
import nl.omzien.client.api.RequestsApi;
import nl.omzien.client.model.AvailabilitySlot;
import nl.omzien.client.model.CancelRequest;
import nl.omzien.client.model.CompleteTask;
import nl.omzien.client.model.HelpRequest;
import nl.omzien.client.model.HelpRequestCreate;
import nl.omzien.client.model.HelpRequestPage;
import nl.omzien.client.model.Home;
import nl.omzien.client.model.HomeUpdate;
import nl.omzien.client.model.Location;
import nl.omzien.client.model.Match;
import nl.omzien.client.model.MeUpdate;
import nl.omzien.client.model.MobilityAid;
import nl.omzien.client.model.NearbyActivity;
import nl.omzien.client.model.Offer;
import nl.omzien.client.model.OfferStatus;
import nl.omzien.client.model.Place;
import nl.omzien.client.model.RequestKind;
import nl.omzien.client.model.RequestStatus;
import nl.omzien.client.model.Signup;
import nl.omzien.client.model.SignupInput;
import nl.omzien.client.model.SignupStatus;
import nl.omzien.client.model.StatusChange;
import nl.omzien.client.model.Task;
import nl.omzien.client.model.TimeWindow;
import nl.omzien.client.model.Transport;
import nl.omzien.client.model.TransportDetails;
import nl.omzien.client.model.Urgency;
import nl.omzien.client.model.VolunteerProfile;
import nl.omzien.client.model.VolunteerProfileUpdate;
import nl.omzien.testing.TestApp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The app team's view: every call goes through the Java client generated from {@code openapi/omzien.yaml}
 * (target/generated-clients/java), never through hand-written HTTP. If the contract and the server drift
 * apart, a typed call here fails (unknown enum value, missing field, wrong status).
 */
@DisplayName("Journeys through the generated Java client")
class ClientJourneyTest {
  /** A home in Overvecht (Tigrisdreef), and the UMC as destination. */
  private static final double HOME_LAT = 52.1161;
  private static final double HOME_LON = 5.1132;
  private static TestApp app;

  @BeforeAll
  static void start() throws Exception {
    // The demo population also volunteers; ask many at once so the journey's own volunteer, at the pickup
    // point, is sure to be among the first round. No background rounds: the journey drives every step.
    app = TestApp.start("journey", Map.of("OMZIEN_MATCH_FIRST_ROUND", "100", "OMZIEN_MATCH_TICK_MS", "0"));
  }

  @AfterAll
  static void stop() throws Exception {
    app.close();
  }

  /** A client of the generated SDK acting as one person (a bearer token on every request). */
  private static ApiClient as(UUID person, Role... roles) {
    String token = app.token(person, Set.of(roles), Set.of());
    ApiClient client = new ApiClient();
    client.updateBaseUri("http://localhost:" + app.app().httpPort());
    client.setRequestInterceptor(request -> request.header("Authorization", "Bearer " + token));
    return client;
  }

  private static Location point(double lat, double lon) {
    return new Location().lat(lat).lon(lon);
  }

  private static ApiClient residentWithHome(String name) throws ApiException {
    ApiClient resident = as(UUID.randomUUID(), Role.RESIDENT);
    MeApi me = new MeApi(resident);
    me.putMe(new MeUpdate().displayName(name).phone("+31612345678"));
    Home home = me.putMyHome(new HomeUpdate().address("Tigrisdreef 12, 3561 Utrecht")
        .location(point(HOME_LAT, HOME_LON)));
    assertEquals("WK034403", home.getWijk().getCode(), "Overvecht is derived from the point");
    assertEquals(home, me.getMyHome());
    return resident;
  }

  private static HelpRequestCreate ride(OffsetDateTime start) {
    return new HelpRequestCreate()
        .kind(RequestKind.TRANSPORT)
        .urgency(Urgency.NORMAL)
        .timeWindows(List.of(new TimeWindow().start(start).end(start.plusHours(3))))
        .note("Graag iemand die rustig rijdt.")
        .transport(new TransportDetails()
            .pickup(new Place().address("Tigrisdreef 12, 3561 Utrecht").location(point(HOME_LAT, HOME_LON)))
            .destination(new Place().name("UMC Utrecht").address("Heidelberglaan 100, 3584 CX Utrecht")
                .location(point(52.0873, 5.1797)))
            .appointmentAt(start.plusMinutes(45))
            .returnTrip(true)
            .mobility(Set.of(MobilityAid.WALKER)));
  }

  private static OffsetDateTime hoursFromNow(double hours) {
    return OffsetDateTime.now(ZoneOffset.UTC).plusMinutes((long) (hours * 60)).truncatedTo(ChronoUnit.MINUTES);
  }

  @Test
  @DisplayName("a resident sets their home, asks for a ride (safely retried), lists and reads it, sees its history and "
      + "withdraws it; then signs up for an activity nearby and cancels that too")
  void residentJourney() throws Exception {
    ApiClient resident = residentWithHome("Ria");
    RequestsApi requests = new RequestsApi(resident);

    String key = UUID.randomUUID().toString();
    HelpRequest asked = requests.createHelpRequest(ride(hoursFromNow(48)), key);
    assertEquals(RequestKind.TRANSPORT, asked.getKind());
    assertEquals("WK034403", asked.getWijk());
    HelpRequest retried = requests.createHelpRequest(ride(hoursFromNow(48)), key);
    assertEquals(asked.getId(), retried.getId(), "the same Idempotency-Key returns the first request");

    HelpRequestPage mine = requests.listMyHelpRequests(null, 10, null);
    assertEquals(List.of(asked.getId()), mine.getItems().stream().map(HelpRequest::getId).toList());
    assertNull(mine.getNextCursor(), "one page");
    HelpRequest read = requests.getHelpRequest(asked.getId());
    assertEquals(asked.getId(), read.getId());
    assertEquals(asked.getTransport().getDestination().getName(), read.getTransport().getDestination().getName());

    HelpRequest cancelled = requests.cancelHelpRequest(asked.getId(),
        new CancelRequest().reason("Mijn zoon kan me toch brengen."));
    assertEquals(RequestStatus.CANCELLED, cancelled.getStatus());
    List<StatusChange> history = requests.getHelpRequestHistory(asked.getId()).getItems();
    assertNull(history.get(0).getFrom(), "made");
    assertEquals(RequestStatus.CANCELLED, history.get(history.size() - 1).getTo());
    assertEquals("Mijn zoon kan me toch brengen.", history.get(history.size() - 1).getReason());

    ApiException again = assertThrows(ApiException.class,
        () -> requests.cancelHelpRequest(asked.getId(), new CancelRequest().reason("Nog een keer.")));
    assertEquals(409, again.getCode());
    assertTrue(again.getResponseBody().contains("illegal-transition"), again.getResponseBody());

    // An activity near home (the demo buurtcentra), signed up for and cancelled again.
    ActivitiesApi activities = new ActivitiesApi(resident);
    List<NearbyActivity> nearby = activities.listNearbyActivities(HOME_LAT, HOME_LON, 10_000, null, null, null,
        null, null, null, null, 5).getItems();
    assertFalse(nearby.isEmpty(), "demo activities within 10 km of Overvecht");
    NearbyActivity activity = nearby.get(0);
    Signup signup = activities.createSignup(activity.getActivityId(),
        new SignupInput().date(activity.getNextOccurrence().getDate()));
    assertEquals(SignupStatus.ACTIVE, signup.getStatus());
    assertEquals(List.of(signup.getSignupId()),
        activities.listMySignups().getItems().stream().map(Signup::getSignupId).toList());
    assertEquals(SignupStatus.CANCELLED, activities.cancelSignup(signup.getSignupId()).getStatus());
  }

  @Test
  @DisplayName("a ride from request to done: a volunteer sets a profile, sees the offer and accepts it, the resident "
      + "sees who comes, the volunteer completes it")
  void rideToCompletion() throws Exception {
    ApiClient volunteer = as(UUID.randomUUID(), Role.VOLUNTEER);
    new MeApi(volunteer).putMe(new MeUpdate().displayName("Henk").phone("+31687654321"));
    List<AvailabilitySlot> allWeek = java.util.stream.IntStream.rangeClosed(1, 7)
        .mapToObj(day -> new AvailabilitySlot().dayOfWeek(day).startTime("00:00").endTime("23:59")).toList();
    VolunteerProfile profile = new MeApi(volunteer).putMyVolunteerProfile(new VolunteerProfileUpdate()
        .location(point(HOME_LAT, HOME_LON))
        .travelKm(10.0)
        .transport(Set.of(Transport.CAR))
        .languages(Set.of("nl"))
        .weeklyCap(3)
        .availability(allWeek));
    assertEquals("WK034403", profile.getWijk().getCode());

    // The ride started half an hour ago, so it can be completed once matched.
    ApiClient resident = residentWithHome("Ria");
    HelpRequest asked = new RequestsApi(resident).createHelpRequest(ride(hoursFromNow(-0.5)), null);

    MatchingApi henk = new MatchingApi(volunteer);
    Offer offer = henk.listMyOffers(null, 100, OfferStatus.PENDING).getItems().stream()
        .filter(o -> o.getRequest().getId().equals(asked.getId()))
        .findFirst().orElseThrow(() -> new AssertionError("Henk, at the pickup point, is offered the ride"));
    assertEquals(RequestKind.TRANSPORT, offer.getRequest().getKind());

    Task task = henk.acceptOffer(offer.getId());
    assertEquals(asked.getId(), task.getRequestId());
    assertEquals(RequestStatus.MATCHED, task.getStatus());
    assertNotNull(task.getContact(), "after the match the volunteer gets the resident's contact details");
    assertEquals("Tigrisdreef 12, 3561 Utrecht", task.getContact().getAddress());

    Match match = new MatchingApi(resident).getMatch(asked.getId());
    assertEquals(RequestStatus.MATCHED, match.getStatus());
    assertEquals("Henk", match.getVolunteer().getFirstName());
    assertEquals(List.of(Transport.CAR), match.getVolunteer().getTransport());

    Task done = henk.completeTask(asked.getId(), new CompleteTask().hoursSpent(2.5));
    assertEquals(RequestStatus.COMPLETED, done.getStatus());
    assertEquals(2.5, done.getHoursSpent());
    assertEquals(RequestStatus.COMPLETED, new RequestsApi(resident).getHelpRequest(asked.getId()).getStatus());
  }
}
