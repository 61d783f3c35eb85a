package nl.omzien.http;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.micrometer.PrometheusScrapingHandler;
import io.vertx.sqlclient.Pool;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Liveness, readiness (the database answers within a second) and Prometheus metrics. */
public final class HealthApi {
  private static final long READY_TIMEOUT_MS = 1_000;

  private final Pool pool;
  private final PrometheusMeterRegistry registry;

  public HealthApi(Pool pool, PrometheusMeterRegistry registry) {
    this.pool = pool;
    this.registry = registry;
  }

  public List<Endpoint> endpoints() {
    return List.of(
        new Endpoint("getLiveness", this::live),
        new Endpoint("getReadiness", this::ready),
        new Endpoint("getMetrics", PrometheusScrapingHandler.create(registry)));
  }

  private void live(RoutingContext ctx) {
    Responses.json(ctx, 200, new JsonObject().put("status", "UP"));
  }

  private void ready(RoutingContext ctx) {
    pool.query("select 1").execute()
        .timeout(READY_TIMEOUT_MS, TimeUnit.MILLISECONDS)
        .onSuccess(rows -> Responses.json(ctx, 200,
            new JsonObject().put("status", "UP").put("checks", new JsonObject().put("database", "UP"))))
        .onFailure(failure -> Problem.of(ProblemType.UNAVAILABLE, "The database does not answer.")
            .retryAfter(5)
            .send(ctx));
  }
}
