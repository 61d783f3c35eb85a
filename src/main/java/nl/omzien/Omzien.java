package nl.omzien;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.openapi.contract.OpenAPIContract;
import nl.omzien.http.Contract;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import com.google.firebase.FirebaseApp;
import nl.omzien.activities.ActivitiesApi;
import nl.omzien.activities.ActivityService;
import nl.omzien.activities.ActivityStore;
import nl.omzien.auth.Authenticator;
import nl.omzien.carers.CaredForApi;
import nl.omzien.feedback.FeedbackApi;
import nl.omzien.privacy.PrivacyApi;
import nl.omzien.auth.FirebaseApps;
import nl.omzien.auth.FirebaseIdTokens;
import nl.omzien.auth.UserDirectory;
import nl.omzien.auth.IdTokenVerifier;
import nl.omzien.auth.LocalTokens;
import nl.omzien.auth.SigningKey;
import nl.omzien.config.OmzienConfig;
import nl.omzien.db.Database;
import nl.omzien.demo.AreaStore;
import nl.omzien.demo.DemoData;
import nl.omzien.geo.AreaIndex;
import nl.omzien.http.DocsApi;
import nl.omzien.http.Endpoint;
import nl.omzien.http.HealthApi;
import nl.omzien.http.HttpVerticle;
import nl.omzien.http.RateLimits;
import nl.omzien.matching.MatchWorker;
import nl.omzien.matching.Matcher;
import nl.omzien.matching.MatchingApi;
import nl.omzien.matching.TaskLedger;
import nl.omzien.matching.VolunteerIndex;
import nl.omzien.push.ActivityPushes;
import nl.omzien.push.DryRunPushSender;
import nl.omzien.push.FcmPushSender;
import nl.omzien.push.Push;
import nl.omzien.push.PushOptions;
import nl.omzien.push.PushSender;
import nl.omzien.reports.FiguresApi;
import nl.omzien.reports.FiguresFlusher;
import nl.omzien.reports.FiguresService;
import nl.omzien.reports.FiguresStore;
import nl.omzien.runtime.BlockingExecutor;
import nl.omzien.requests.RequestService;
import nl.omzien.requests.RequestStore;
import nl.omzien.requests.RequestsApi;
import nl.omzien.users.HomeApi;
import nl.omzien.volunteers.VolunteerProfileApi;
import nl.omzien.users.UserStore;
import nl.omzien.users.UsersApi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running application: database, services and HTTP verticles, started in order and stopped in reverse.
 * Tests start it exactly as {@link Main} does.
 */
public final class Omzien {
  /** How often each instance recomputes the figures' facts of what changed (V10); a figures read flushes too. */
  private static final Duration FIGURES_FLUSH = Duration.ofSeconds(2);
  private static final Logger LOG = LoggerFactory.getLogger(Omzien.class);
  /** Where the contract is read from: the working directory's openapi/ when present, else the jar's copy. */
  public static final String CONTRACT = "openapi/omzien.yaml";

  private final Vertx vertx;
  private final OmzienConfig config;
  private final Database database;
  private final BlockingExecutor blocking;
  private final int httpPort;
  private final List<String> deployments;
  private final Push push;
  private final Matcher matcher;
  private final VolunteerIndex volunteers;

  private Omzien(Vertx vertx, OmzienConfig config, Database database, BlockingExecutor blocking, int httpPort,
                 List<String> deployments, Push push, Matcher matcher, VolunteerIndex volunteers) {
    this.push = push;
    this.matcher = matcher;
    this.volunteers = volunteers;
    this.vertx = vertx;
    this.config = config;
    this.database = database;
    this.blocking = blocking;
    this.httpPort = httpPort;
    this.deployments = deployments;
  }

  /** Starts everything; on failure, whatever was started is stopped again before the future fails. */
  public static Future<Omzien> start(OmzienConfig config) {
    return start(config, PushOptions.fromEnvironment(), Optional.empty());
  }

  /** Starts with the given push set-up (tests and benchmarks: a sender on a mock FCM transport, their own clock). */
  public static Future<Omzien> start(OmzienConfig config, PushOptions pushOptions) {
    return start(config, pushOptions, Optional.empty());
  }

  /**
   * Starts everything. {@code pushOptions} gives the push sender and clock (from the environment in production);
   * {@code firebaseAuth} a FirebaseApp for ID-token verification (tests pass one on a mock transport), empty
   * meaning "from GOOGLE_APPLICATION_CREDENTIALS, if set".
   */
  public static Future<Omzien> start(OmzienConfig config, PushOptions pushOptions, Optional<FirebaseApp> firebaseAuth) {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    Vertx vertx = Vertx.builder()
        // One event loop per HTTP instance (Vert.x's default is two per core): the background verticles share them,
        // and each loop has its own database pool (LoopPools), so OMZIEN_DB_POOL_SIZE is split over these loops.
        .with(new VertxOptions().setEventLoopPoolSize(Math.max(1, config.httpInstances())).setMetricsOptions(new MicrometerMetricsOptions()
            .setEnabled(true)
            .setJvmMetricsEnabled(true)
            .setLabels(EnumSet.of(Label.HTTP_METHOD, Label.HTTP_CODE, Label.HTTP_ROUTE, Label.POOL_TYPE,
                Label.POOL_NAME, Label.CLIENT_NAME))))
        .withMetrics(new MicrometerMetricsFactory(registry))
        .build();
    BlockingExecutor blocking = new BlockingExecutor(vertx, "omzien-blocking", config.workerPoolSize(),
        config.workerPoolSize() * 16);
    Future<Omzien> started = Database.open(vertx, config)
        .compose(database -> wire(vertx, config, database, blocking, registry, pushOptions, firebaseAuth)
            .recover(failure -> database.close().transform(v -> Future.failedFuture(failure))));
    return closingVertxOnFailure(vertx, started);
  }

  /**
   * Vert.x's close future is the only one that may complete after its event loops are gone, so the outcome is
   * relayed through a promise without a context (a contextual one would try to run on a dead event loop).
   */
  private static <T> Future<T> closingVertxOnFailure(Vertx vertx, Future<T> outcome) {
    Promise<T> relay = Promise.promise();
    outcome.onComplete(result -> {
      if (result.succeeded()) {
        relay.complete(result.result());
      } else {
        vertx.close().onComplete(closed -> relay.fail(result.cause()));
      }
    });
    return relay.future();
  }

  private static Future<Omzien> wire(Vertx vertx, OmzienConfig config, Database database, BlockingExecutor blocking,
                                     PrometheusMeterRegistry registry, PushOptions pushOptions,
                                     Optional<FirebaseApp> firebaseAuth) {
    return vertx.executeBlocking(AreaIndex::loadUtrecht, false)
        .compose(areas -> AreaStore.sync(database.pool(), areas)
            .compose(v -> config.demo() ? DemoData.loadOnce(database.pool(), areas) : Future.succeededFuture(false))
            .map(loaded -> areas))
        .compose(areas -> authenticator(vertx, config, database, blocking, firebaseAuth)
            .compose(authenticator -> pushSender(vertx, pushOptions)
                .map(sender -> new Push(database.pool(), blocking, sender, pushOptions))
                .compose(push -> Contract.load(vertx, CONTRACT)
                    .compose(contract -> deploy(vertx, config, database, blocking, registry, authenticator, contract,
                        areas, push)))));
  }

  /** The given sender, else FCM when GOOGLE_APPLICATION_CREDENTIALS is set, else the dry run; says which, once. */
  private static Future<PushSender> pushSender(Vertx vertx, PushOptions options) {
    if (options.sender().isPresent()) {
      LOG.info("Push: sending with the given {}", options.sender().get().getClass().getSimpleName());
      return Future.succeededFuture(options.sender().get());
    }
    return vertx.executeBlocking(FcmPushSender::fromEnvironment, false)
        .map(fcm -> {
          if (fcm.isPresent()) {
            LOG.info("Push: sending through Firebase Cloud Messaging (GOOGLE_APPLICATION_CREDENTIALS is set)");
            return (PushSender) fcm.get();
          }
          LOG.info("Push: dry run, nothing leaves this machine (GOOGLE_APPLICATION_CREDENTIALS is not set); "
              + "see GET /v1/admin/push/dry-run");
          return new DryRunPushSender();
        });
  }

  private static Future<Authenticator> authenticator(Vertx vertx, OmzienConfig config, Database database,
                                                     BlockingExecutor blocking, Optional<FirebaseApp> firebaseAuth) {
    Future<Optional<LocalTokens>> local = config.demo()
        ? vertx.executeBlocking(() -> SigningKey.load(config.jwtSecret(), config.dataDir()), false)
            .map(secret -> Optional.of(new LocalTokens(vertx, secret)))
        : Future.succeededFuture(Optional.empty());
    Future<Optional<FirebaseApp>> firebase = firebaseAuth.isPresent()
        ? Future.succeededFuture(firebaseAuth)
        : vertx.executeBlocking(() -> FirebaseApps.forIdTokens(config), false);
    return Future.all(local, firebase).map(both -> {
      UserDirectory users = new UserDirectory(database.pool());
      Optional<IdTokenVerifier> verifier = firebase.result()
          .map(app -> new FirebaseIdTokens(app, blocking, users));
      LOG.info("accepting {}{}", local.result().isPresent() ? "local demo tokens" : "no local tokens",
          verifier.isPresent() ? " and Firebase ID tokens" : "; Firebase ID tokens are off (no credentials)");
      return new Authenticator(local.result(), verifier, users);
    });
  }

  private static Future<Omzien> deploy(Vertx vertx, OmzienConfig config, Database database, BlockingExecutor blocking,
                                       PrometheusMeterRegistry registry, Authenticator authenticator,
                                       OpenAPIContract contract, AreaIndex areas, Push push) {
    Clock clock = Clock.systemUTC();
    ActivityStore activityStore = new ActivityStore(database.pool())
        .withEvents(new ActivityPushes(push.outbox(), clock));
    FiguresStore figures = new FiguresStore(database.pool());
    return ActivityService.start(activityStore, areas, clock)
        .compose(activities -> VolunteerIndex.start(vertx, database.pool(),
                Optional.of(database.target().connectOptions()))
            .compose(volunteers -> TaskLedger.start(vertx, database.pool(), database.target().connectOptions())
                .map(tasks -> new Matcher(database.pool(), volunteers, tasks, push.outbox(), config.matching())))
            .compose(matcher -> FiguresApi.create(vertx,
                    new FiguresService(figures, areas, clock))
                .compose(figuresApi -> DocsApi.load(vertx, CONTRACT)
                    .compose(docs -> vertx.deployVerticle(FiguresFlusher.of(figures, FIGURES_FLUSH))
                        .compose(flusher -> deployHttp(vertx, config, database, blocking, registry, authenticator,
                            contract, areas, push, clock, activities, matcher, figuresApi, docs, flusher))))));
  }

  private static Future<Omzien> deployHttp(Vertx vertx, OmzienConfig config, Database database,
                                           BlockingExecutor blocking, PrometheusMeterRegistry registry,
                                           Authenticator authenticator, OpenAPIContract contract, AreaIndex areas,
                                           Push push, Clock clock, ActivityService activities,
                                           Matcher matcher, FiguresApi figuresApi, DocsApi docs,
                                           String flusher) {
    VolunteerIndex volunteers = matcher.volunteers();
    RequestService requests = new RequestService(new RequestStore(database.pool()), areas, clock, matcher);
    List<Endpoint> endpoints = new ArrayList<>();
    endpoints.addAll(new HealthApi(database.pool(), registry).endpoints());
    endpoints.addAll(new UsersApi(new UserStore(database.pool(), push.outbox().defaultQuietHours())).endpoints());
    endpoints.addAll(new HomeApi(database.pool(), areas).endpoints());
    endpoints.addAll(new VolunteerProfileApi(database.pool(), areas, volunteers).endpoints());
    endpoints.addAll(new RequestsApi(requests).endpoints());
    endpoints.addAll(new MatchingApi(database.pool(), requests, matcher, areas, activities).endpoints());
    endpoints.addAll(push.endpoints());
    endpoints.addAll(new ActivitiesApi(activities, clock).endpoints());
    endpoints.addAll(new CaredForApi(database.pool(), areas).endpoints());
    endpoints.addAll(new FeedbackApi(database.pool(), requests).endpoints());
    endpoints.addAll(new PrivacyApi(database.pool(), areas, clock, matcher, volunteers, authenticator.directory(),
        push.outbox().defaultQuietHours())
        .endpoints());
    endpoints.addAll(figuresApi.endpoints());
    endpoints.addAll(docs.endpoints());

    int port = config.httpPort() == 0 ? freePort() : config.httpPort();
    RateLimits rateLimits = RateLimits.create(vertx, config.httpLimits(), RateLimits.healthPaths(contract));
    return vertx.deployVerticle(
            () -> new HttpVerticle(contract, authenticator, endpoints, config.httpHost(), port, config.maxBodyBytes(),
                config.shutdownGrace(), config.httpLimits(), rateLimits),
            new DeploymentOptions().setInstances(config.httpInstances()))
        .compose(http -> vertx.deployVerticle(push.worker())
            .compose(worker -> vertx.deployVerticle(new MatchWorker(matcher)).map(matching -> List.of(matching, worker)))
            .map(workers -> {
              LOG.info("Omzien listening on http://{}:{} ({} HTTP instances, demo={})", config.httpHost(), port,
                  config.httpInstances(), config.demo());
              // The workers and the figures' flusher stop first: what they have in flight still needs the blocking
              // pool and the database.
              List<String> deployments = new ArrayList<>(workers);
              deployments.add(flusher);
              deployments.add(http);
              return new Omzien(vertx, config, database, blocking, port, deployments, push, matcher, volunteers);
            }));
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Graceful stop: HTTP servers stop accepting and let in-flight requests finish, then the blocking pool, the
   * database pool and the embedded PostgreSQL (if ours) are closed, then Vert.x.
   */
  public Future<Void> stop() {
    Future<Void> undeployed = Future.succeededFuture();
    for (String id : deployments) {
      undeployed = undeployed.compose(v -> vertx.undeploy(id));
    }
    Promise<Void> stopped = Promise.promise();
    undeployed
        .eventually(volunteers::close)
        .eventually(() -> matcher.tasks().close())
        .eventually(blocking::close)
        .eventually(database::close)
        .onComplete(done -> vertx.close().onComplete(closed -> {
          LOG.info("Omzien stopped");
          stopped.handle(done);
        }));
    return stopped.future();
  }

  public int httpPort() {
    return httpPort;
  }

  public Vertx vertx() {
    return vertx;
  }

  public Database database() {
    return database;
  }

  public OmzienConfig config() {
    return config;
  }

  /** The matching engine (tests drive its rounds). */
  public Matcher matcher() {
    return matcher;
  }

  /** Push delivery: the outbox other capabilities enqueue to, and its worker. */
  public Push push() {
    return push;
  }
}
