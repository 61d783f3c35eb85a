package nl.omzien.demo;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import nl.omzien.auth.Role;

/**
 * The named demo users, one or more per role, with stable ids so tokens minted by {@code omzien token} match
 * the rows the demo loader writes.
 */
public final class DemoUsers {

  /** A demo person: handle for the command line, display name, roles, wijken (for ambassadors), what they show. */
  public record DemoUser(String handle, UUID id, String displayName, Set<Role> roles, Set<String> wijken,
                         String language, String about) {
  }

  private static final List<DemoUser> ALL = List.of(
      user("ria", "Ria", Set.of(Role.RESIDENT), Set.of(), "nl", "resident, 81, Overvecht; asks for rides to the hospital"),
      user("karin", "Karin", Set.of(Role.RESIDENT), Set.of(), "nl", "mantelzorger for her father with dementia; asks for respite"),
      user("henk", "Henk", Set.of(Role.RESIDENT, Role.VOLUNTEER), Set.of(), "nl", "older resident who also volunteers as a driver"),
      user("sanne", "Sanne", Set.of(Role.VOLUNTEER), Set.of(), "nl", "volunteer with a valid VOG and dementia experience"),
      user("youssef", "Youssef", Set.of(Role.VOLUNTEER), Set.of(), "en", "volunteer who visits lonely neighbours; speaks nl, en, ar"),
      user("ilse", "Ilse", Set.of(Role.ORGANISER), Set.of(), "nl", "organiser at a buurtcentrum in Overvecht"),
      user("fatima", "Fatima", Set.of(Role.AMBASSADOR), Set.of("WK034403"), "nl", "wijkambassadeur of Overvecht"),
      user("joost", "Joost", Set.of(Role.AMBASSADOR), Set.of("WK034406", "WK034407"), "nl", "wijkambassadeur of Binnenstad and Zuid"),
      user("admin", "Beheer", Set.of(Role.ADMIN), Set.of(), "nl", "municipality administrator"));

  private DemoUsers() {
  }

  private static DemoUser user(String handle, String name, Set<Role> roles, Set<String> wijken, String language,
                               String about) {
    return new DemoUser(handle, idFor(handle), name, roles, wijken, language, about);
  }

  /** A stable id for a demo handle. */
  public static UUID idFor(String handle) {
    return UUID.nameUUIDFromBytes(("omzien-demo-user:" + handle).getBytes(StandardCharsets.UTF_8));
  }

  public static List<DemoUser> all() {
    return ALL;
  }

  public static Optional<DemoUser> byHandle(String handle) {
    return ALL.stream().filter(u -> u.handle().equals(handle)).findFirst();
  }
}
