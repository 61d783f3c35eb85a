package nl.omzien.users;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.Optional;
import java.util.UUID;
import nl.omzien.auth.Principal;
import nl.omzien.auth.Role;
import nl.omzien.push.QuietHours;

/** SQL for the {@code app_user} table. */
public final class UserStore {
  private static final String FIND = """
      select %s from app_user where id = $1 and deleted_at is null
      """.formatted(User.COLUMNS);
  // Roles and wijken come from the signed principal on first creation only; later updates never touch them.
  private static final String UPSERT = """
      insert into app_user (id, display_name, language, phone, roles, wijken)
      values ($1, $2, $3, $4, $5, $6)
      on conflict (id) do update
         set display_name = excluded.display_name, language = excluded.language, phone = excluded.phone,
             updated_at = now()
       where app_user.deleted_at is null
      returning %s
      """.formatted(User.COLUMNS);

  private final Pool pool;
  private final QuietHours defaultQuietHours;

  /** {@code defaultQuietHours}: what a person who chose no quiet hours of their own gets. */
  public UserStore(Pool pool, QuietHours defaultQuietHours) {
    this.pool = pool;
    this.defaultQuietHours = defaultQuietHours;
  }

  public Future<Optional<User>> find(UUID id) {
    return pool.preparedQuery(FIND).execute(Tuple.of(id))
        .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(toUser(rows.iterator().next())));
  }

  public Future<Optional<User>> upsert(Principal principal, String displayName, String language, String phone) {
    Tuple params = Tuple.of(principal.userId(), displayName, language, phone,
        principal.roles().stream().map(Role::wire).sorted().toArray(String[]::new),
        principal.wijken().stream().sorted().toArray(String[]::new));
    return pool.preparedQuery(UPSERT).execute(params)
        .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(toUser(rows.iterator().next())));
  }

  private User toUser(Row row) {
    return User.from(row, defaultQuietHours);
  }
}
