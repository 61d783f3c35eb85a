package nl.omzien.http;

import io.vertx.core.Future;
import io.vertx.ext.web.RoutingContext;
import io.vertx.openapi.validation.RequestParameter;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.util.Optional;
import java.util.UUID;
import java.util.function.BiFunction;
import nl.omzien.db.Ids;
import nl.omzien.errors.DomainException;

/**
 * The {@code Idempotency-Key} header of a create operation: a retried POST from a flaky mobile network returns
 * what the first one made instead of making it again.
 *
 * <p>{@link #claim} runs first in the creating transaction and inserts (caller, operation, key) with the id the new
 * resource will get. A concurrent retry with the same key blocks on the primary key until the first transaction
 * ends: if it committed, the retry gets the first resource's id and creates nothing; if it rolled back, the retry
 * proceeds as the first. Keys are scoped per caller and per operation, so two people (or two operations) never
 * collide, and one person's key can never reveal another's resource.
 */
public final class Idempotency {
  /** The header, as in the contract's {@code IdempotencyKey} parameter. */
  public static final String HEADER = "Idempotency-Key";

  private static final String CLAIM = """
      insert into idempotency_key (user_id, operation, key, resource_id) values ($1, $2, $3, $4)
      on conflict do nothing
      """;
  private static final String EARLIER = """
      select resource_id from idempotency_key where user_id = $1 and operation = $2 and key = $3
      """;

  private Idempotency() {
  }

  /** What a create answered: the resource, and whether this call made it (201) or an earlier one did (200). */
  public record Outcome<T>(T value, boolean created) {
  }

  /**
   * Runs a create in one transaction under {@code key}: {@code create} makes the resource with the id it is given;
   * on a repeated key, {@code earlier} reads the resource made the first time instead. If that resource is gone
   * (erased since), the key cannot be answered as before: 409 {@code idempotency-key-reused}.
   */
  public static <T> Future<Outcome<T>> create(Pool pool, UUID caller, String operation, Optional<String> key,
                                              BiFunction<SqlConnection, UUID, Future<T>> create,
                                              BiFunction<SqlConnection, UUID, Future<Optional<T>>> earlier) {
    UUID newId = Ids.next();
    return pool.withTransaction(tx -> claim(tx, caller, operation, key, newId).compose(previous -> previous.isEmpty()
        ? create.apply(tx, newId).map(value -> new Outcome<>(value, true))
        : earlier.apply(tx, previous.get()).compose(found -> found
            .map(value -> Future.succeededFuture(new Outcome<>(value, false)))
            .orElseGet(() -> Future.failedFuture(new DomainException.Conflict("idempotency-key-reused",
                "This Idempotency-Key was used for something that no longer exists; send a new key."))))));
  }

  /** The validated {@code Idempotency-Key} header, if the caller sent a non-empty one. */
  public static Optional<String> key(RoutingContext ctx) {
    return ApiRouter.validated(ctx).getHeaders().entrySet().stream()
        .filter(e -> e.getKey().equalsIgnoreCase(HEADER))
        .findFirst()
        .flatMap(e -> Optional.ofNullable(e.getValue()))
        .filter(p -> !p.isNull() && !p.isEmpty())
        .map(RequestParameter::getString);
  }

  /**
   * Claims {@code key} for {@code newId} inside {@code tx}. Empty: go ahead and create {@code newId}. Present: the
   * key was used before by this caller for this operation, and the value is the id of what was made then.
   * Without a key nothing is written and the answer is empty.
   */
  public static Future<Optional<UUID>> claim(SqlConnection tx, UUID caller, String operation, Optional<String> key,
                                             UUID newId) {
    if (key.isEmpty()) {
      return Future.succeededFuture(Optional.empty());
    }
    Tuple params = Tuple.of(caller, operation, key.get());
    return tx.preparedQuery(CLAIM).execute(Tuple.of(caller, operation, key.get(), newId))
        .compose(inserted -> inserted.rowCount() == 1
            ? Future.succeededFuture(Optional.<UUID>empty())
            : tx.preparedQuery(EARLIER).execute(params)
                .map(rows -> Optional.of(rows.iterator().next().getUUID(0))));
  }
}
