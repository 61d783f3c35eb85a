package nl.omzien.users;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.Optional;
import java.util.UUID;
import nl.omzien.auth.Principal;
import nl.omzien.auth.Role;

/** SQL for the {@code app_user} table. */
public final class UserStore {
  private static final String FIND = """
      select id, display_name, language, phone, roles, wijken
        from app_user where id = $1 and deleted_at is null
      """;
  // Roles and wijken come from the signed principal on first creation only; later updates never touch them.
  private static final String UPSERT = """
      insert into app_user (id, display_name, language, phone, roles, wijken)
      values ($1, $2, $3, $4, $5, $6)
      on conflict (id) do update
         set display_name = excluded.display_name, language = excluded.language, phone = excluded.phone,
             updated_at = now()
       where app_user.deleted_at is null
      returning id, display_name, language, phone, roles, wijken
      """;

  private final Pool pool;

  public UserStore(Pool pool) {
    this.pool = pool;
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

  private static User toUser(Row row) {
    return new User(row.getUUID("id"), row.getString("display_name"), row.getString("language"),
        row.getString("phone"), java.util.List.of(row.getArrayOfStrings("roles")),
        java.util.List.of(row.getArrayOfStrings("wijken")));
  }
}
