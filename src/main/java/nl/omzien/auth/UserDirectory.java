package nl.omzien.auth;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import nl.omzien.db.Ids;
import nl.omzien.errors.DomainException;

/**
 * Maps an external identity (e.g. {@code firebase:<uid>}) to an Omzien user. A first sign-in creates the user
 * as a resident; other roles are granted inside Omzien.
 */
public final class UserDirectory {
  private static final String FIND_OR_CREATE = """
      with inserted as (
        insert into app_user (id, external_subject, display_name, roles)
        values ($1, $2, '', array['resident'])
        on conflict (external_subject) do nothing
        returning id, roles, wijken
      )
      select id, roles, wijken from inserted
      union all
      select id, roles, wijken from app_user where external_subject = $2 and deleted_at is null
      limit 1
      """;

  // The insert's row is not visible to the outer select of the same statement: a new user is never "deleted".
  private static final String ENSURE = """
      with inserted as (
        insert into app_user (id, display_name, roles, wijken) values ($1, '', $2, $3) on conflict (id) do nothing
      )
      select exists (select 1 from app_user where id = $1 and deleted_at is not null) as deleted
      """;
  /** Users known to have a live row; bounded, so a flood of new ids cannot grow it without limit. */
  private static final int KNOWN_LIMIT = 100_000;
  /**
   * At most how long "this user exists and is not deleted" is believed before it is checked again (other instances).
   * Each check holds for a random time between half of this and all of it: with one fixed period, every user first
   * seen in the same second was checked again in the same 0.1 s every 30 s (a load run's 2,000 nearby users: a burst
   * of 2,000 queries, ~0.13 s of database CPU, and 10-40 ms stalls of the listing at half its maximum rate).
   */
  static final long RECHECK_NANOS = TimeUnit.SECONDS.toNanos(30);

  private final Pool pool;
  /** User id -> until when (System.nanoTime) it is believed alive without asking the database. */
  private final java.util.Map<UUID, Long> known = new ConcurrentHashMap<>();

  public UserDirectory(Pool pool) {
    this.pool = pool;
  }

  /**
   * Makes sure a locally signed principal has its user row (a first sign-in creates it, as for Firebase users),
   * so every write that names the caller has a row to refer to; fails with
   * {@link DomainException.Unauthenticated} when the account was erased ({@code DELETE /v1/me}). Checked once
   * per user per 15-30 seconds per process ({@link #RECHECK_NANOS}); the instance that erases an account forgets it
   * at once ({@link #forget}).
   */
  public Future<Principal> ensureLocal(Principal principal) {
    Long until = known.get(principal.userId());
    if (until != null && until - System.nanoTime() > 0) {
      return Future.succeededFuture(principal);
    }
    return pool.preparedQuery(ENSURE)
        .execute(Tuple.of(principal.userId(),
            principal.roles().stream().map(Role::wire).sorted().toArray(String[]::new),
            principal.wijken().stream().sorted().toArray(String[]::new)))
        .compose(rows -> {
          if (Boolean.TRUE.equals(rows.iterator().next().getBoolean("deleted"))) {
            known.remove(principal.userId());
            return Future.failedFuture(new DomainException.Unauthenticated("This account has been deleted."));
          }
          if (known.size() < KNOWN_LIMIT || known.containsKey(principal.userId())) {
            long hold = RECHECK_NANOS / 2 + ThreadLocalRandom.current().nextLong(RECHECK_NANOS / 2 + 1);
            known.put(principal.userId(), System.nanoTime() + hold);
          }
          return Future.succeededFuture(principal);
        });
  }

  /** Until when (System.nanoTime) this user is believed alive without a check, if known (tests). */
  Optional<Long> believedUntil(UUID userId) {
    return Optional.ofNullable(known.get(userId));
  }

  /** Forgets that a user exists (their account was just erased): their next request is checked again. */
  public void forget(UUID userId) {
    known.remove(userId);
  }

  public Future<Principal> principalForExternal(String externalSubject, String issuer) {
    return pool.preparedQuery(FIND_OR_CREATE)
        .execute(Tuple.of(Ids.next(), externalSubject))
        .compose(rows -> rows.size() == 0
            ? Future.failedFuture(new DomainException.Unauthenticated("This account has been deleted."))
            : Future.succeededFuture(toPrincipal(rows.iterator().next(), issuer)));
  }

  private static Principal toPrincipal(Row row, String issuer) {
    Set<Role> roles = new HashSet<>();
    for (String role : row.getArrayOfStrings("roles")) {
      Role.fromWire(role).ifPresent(roles::add);
    }
    return new Principal(row.getUUID("id"), roles, Set.of(row.getArrayOfStrings("wijken")), issuer);
  }
}
