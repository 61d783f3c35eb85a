package nl.omzien.privacy;

import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Pool;
import java.time.Clock;
import java.util.List;
import nl.omzien.auth.UserDirectory;
import nl.omzien.errors.DomainException;
import nl.omzien.geo.AreaIndex;
import nl.omzien.http.ApiRouter;
import nl.omzien.http.Endpoint;
import nl.omzien.http.Responses;
import nl.omzien.matching.Matcher;
import nl.omzien.matching.VolunteerIndex;
import nl.omzien.push.QuietHours;

/**
 * The AVG/GDPR rights of the signed-in person: {@code GET /v1/me/export} (access and portability, see
 * {@link DataExport}) and {@code DELETE /v1/me} (erasure, see {@link Erasure}). After erasure the account is
 * gone: a token naming it gets 401 (this instance at once, others within 30 seconds); a Firebase sign-in with
 * the same Google/Apple identity afterwards starts a new, empty account, since nothing links it to the old one.
 */
public final class PrivacyApi {
  private final DataExport export;
  private final Erasure erasure;

  public PrivacyApi(Pool pool, AreaIndex areas, Clock clock, Matcher matcher, VolunteerIndex volunteers,
                    UserDirectory directory, QuietHours defaultQuietHours) {
    this.export = new DataExport(pool, areas, clock, defaultQuietHours);
    this.erasure = new Erasure(pool, areas, matcher, volunteers, directory);
  }

  public List<Endpoint> endpoints() {
    return List.of(new Endpoint("exportMyData", this::export), new Endpoint("deleteMe", this::delete));
  }

  private void export(RoutingContext ctx) {
    export.of(ApiRouter.principal(ctx).userId())
        .onSuccess(data -> {
          ctx.response().putHeader("Content-Disposition", "attachment; filename=omzien-export.json");
          ctx.response().putHeader("Cache-Control", "no-store");
          Responses.json(ctx, 200, data);
        })
        .onFailure(ctx::fail);
  }

  private void delete(RoutingContext ctx) {
    erasure.erase(ApiRouter.principal(ctx).userId())
        .onSuccess(erased -> {
          if (erased) {
            Responses.noContent(ctx);
          } else {
            ctx.fail(new DomainException.NotFound("Account"));
          }
        })
        .onFailure(ctx::fail);
  }
}
