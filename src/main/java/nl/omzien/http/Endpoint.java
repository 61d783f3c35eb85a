package nl.omzien.http;

import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;

/** The code behind one operation of the contract, found by its {@code operationId}. */
public record Endpoint(String operationId, Handler<RoutingContext> handler) {
}
