package nl.omzien.bench.load;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

/**
 * What a load run wrote, checked in the database against what the clients counted, so a fast wrong answer cannot
 * pass: every created request is persisted with round 1 run and an {@code offer_made} push per offer; every
 * contended request has at most one winner, its volunteer is the accepted offer's, nothing is left pending, and
 * the number of winners equals the 200s counted (up to the requests wrk still had in flight when it stopped).
 */
public final class ResultCheck {
  /** One line of the check: what, the figures, and whether it holds. */
  public record Line(String what, String figures, boolean ok) {
    @Override
    public String toString() {
      return String.format(Locale.ROOT, "  [%s] %-58s %s", ok ? "ok" : "FAIL", what, figures);
    }
  }

  private final List<Line> lines = new ArrayList<>();

  public List<Line> lines() {
    return lines;
  }

  public boolean ok() {
    return lines.stream().allMatch(Line::ok);
  }

  private void add(String what, String figures, boolean ok) {
    lines.add(new Line(what, figures, ok));
  }

  /**
   * Requests created since {@code mark}: as many as the clients got 201 for (plus at most those still in flight),
   * none left open (round 1 runs before the answer), and every offer made on them announced in the push outbox.
   */
  public ResultCheck created(Connection db, Instant mark, long created201, long inFlight) throws SQLException {
    long rows = count(db, "select count(*) from help_request where created_at >= ? and parent_id is null", mark);
    add("requests persisted = 201s counted (+ in flight at stop)",
        String.format(Locale.ROOT, "rows %d, 201s %d, in flight <= %d", rows, created201, inFlight),
        rows >= created201 && rows <= created201 + inFlight);
    long unmatchedRound = count(db,
        "select count(*) from help_request where created_at >= ? and parent_id is null and status = 'open'", mark);
    add("round 1 ran inline for every created request", "still open: " + unmatchedRound, unmatchedRound == 0);
    long offers = count(db, "select count(*) from offer o join help_request r on r.id = o.request_id "
        + "where r.created_at >= ? and r.parent_id is null", mark);
    long pushes = count(db, "select count(*) from push_outbox p join offer o on o.id = p.offer_id "
        + "join help_request r on r.id = o.request_id "
        + "where r.created_at >= ? and r.parent_id is null and p.kind = 'offer_made'", mark);
    add("one offer_made outbox row per offer made",
        String.format(Locale.ROOT, "offers %d, offer_made rows %d (%.2f offers/request)", offers, pushes,
            rows == 0 ? 0.0 : offers / (double) rows),
        offers == pushes && (rows == 0 || offers > 0));
    return this;
  }

  /**
   * The contended requests: at most one accepted offer and one match in the history each; a matched request's
   * volunteer is its accepted offer's and no offer of it is still pending; winners = 200s counted (up to those in
   * flight); every other answer was 409; every winner's resident got {@code match_confirmed}.
   */
  public ResultCheck accepted(Connection db, Collection<UUID> requests, RunResult accept) throws SQLException {
    Array ids = db.createArrayOf("uuid", requests.toArray());
    long doubleWinners = count(db, "select count(*) from (select request_id from offer where request_id = any (?) "
        + "and status = 'accepted' group by request_id having count(*) > 1) x", ids);
    add("no request with two accepted offers", "requests: " + doubleWinners, doubleWinners == 0);
    long doubleHistory = count(db, "select count(*) from (select request_id from help_request_history "
        + "where request_id = any (?) and to_status = 'matched' group by request_id having count(*) > 1) x", ids);
    add("no request matched twice in its history", "requests: " + doubleHistory, doubleHistory == 0);
    long matched = count(db, "select count(*) from help_request where id = any (?) and status = 'matched'", ids);
    long consistent = count(db, "select count(*) from help_request r join offer o on o.request_id = r.id "
        + "and o.status = 'accepted' and o.volunteer_id = r.volunteer_id where r.id = any (?) and r.status = 'matched'",
        ids);
    add("each matched request's volunteer holds its accepted offer",
        String.format(Locale.ROOT, "matched %d, consistent %d", matched, consistent), matched == consistent);
    long stillPending = count(db, "select count(*) from offer o join help_request r on r.id = o.request_id "
        + "where r.id = any (?) and r.status = 'matched' and o.status = 'pending'", ids);
    add("no pending offer left on a matched request", "offers: " + stillPending, stillPending == 0);
    long confirmed = count(db, "select count(distinct request_id) from push_outbox where request_id = any (?) "
        + "and kind = 'match_confirmed'", ids);
    add("match_confirmed in the outbox for every winner",
        String.format(Locale.ROOT, "matched %d, confirmed %d", matched, confirmed), confirmed == matched);
    long ok = accept.status(200);
    long inFlight = Math.max(0, accept.sent() - accept.answered());
    add("winners = 200s counted (+ in flight at stop)",
        String.format(Locale.ROOT, "matched %d of %d requests, 200s %d, in flight <= %d", matched, requests.size(),
            ok, inFlight),
        matched >= ok && matched <= ok + inFlight);
    long conflicts = accept.status(409);
    long other = accept.answered() - ok - conflicts;
    add("every other answer was 409 (offer-filled/closed)",
        String.format(Locale.ROOT, "409 %d (%s), other %d", conflicts, accept.codes(), other), other == 0);
    return this;
  }

  /**
   * Every answer of a run was expected: 2xx, and for accepts also 409 (someone else won); no socket errors.
   * A 401 here would mean a bad token, a 429 a rate limit left on, a 5xx a server fault.
   */
  public static Line answers(RunResult run) {
    boolean accept = run.scenario().equals("accept");
    long unexpected = run.socketErrors() + run.statuses().entrySet().stream()
        .filter(e -> e.getKey() / 100 != 2 && !(accept && e.getKey() == 409))
        .mapToLong(java.util.Map.Entry::getValue).sum();
    return new Line(run.scenario() + " (" + run.mode() + "): only " + (accept ? "2xx/409" : "2xx") + " answers",
        "unexpected: " + unexpected + " " + run.statuses() + ", socket errors " + run.socketErrors(),
        unexpected == 0);
  }

  private static long count(Connection db, String sql, Object parameter) throws SQLException {
    try (PreparedStatement statement = db.prepareStatement(sql)) {
      if (parameter instanceof Instant instant) {
        statement.setTimestamp(1, Timestamp.from(instant));
      } else {
        statement.setObject(1, parameter);
      }
      try (ResultSet rows = statement.executeQuery()) {
        rows.next();
        return rows.getLong(1);
      }
    }
  }
}
