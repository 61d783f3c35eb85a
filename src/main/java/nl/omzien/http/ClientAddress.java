package nl.omzien.http;

import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The client's address for rate limiting. Without trusted proxies it is the TCP peer. Behind {@code n} reverse
 * proxies it is the {@code n}-th {@code X-Forwarded-For} entry from the right (the one the outermost trusted
 * proxy saw); entries further left are whatever the client wrote and are ignored. IPv6 addresses are grouped by
 * their /64 prefix, since one subscriber usually gets a whole /64.
 */
final class ClientAddress {
  private ClientAddress() {
  }

  static String of(HttpServerRequest request, int trustedProxies) {
    String address = null;
    if (trustedProxies > 0) {
      address = fromForwardedFor(request.headers().getAll("X-Forwarded-For"), trustedProxies);
    }
    if (address == null) {
      SocketAddress peer = request.remoteAddress();
      address = peer == null || peer.hostAddress() == null ? "unknown" : peer.hostAddress();
    }
    return group(address);
  }

  static String fromForwardedFor(List<String> headers, int trustedProxies) {
    List<String> hops = new ArrayList<>();
    for (String header : headers) {
      for (String hop : header.split(",")) {
        if (!hop.isBlank()) {
          hops.add(hop.trim());
        }
      }
    }
    if (hops.isEmpty()) {
      return null;
    }
    return hops.get(Math.max(0, hops.size() - trustedProxies));
  }

  /** IPv4 unchanged; IPv6 cut to its first four groups (the /64), lower case. */
  static String group(String address) {
    if (address.indexOf(':') < 0) {
      return address;
    }
    String bare = address.startsWith("[") ? address.substring(1, address.indexOf(']') < 0 ? address.length()
        : address.indexOf(']')) : address;
    if (bare.toLowerCase(Locale.ROOT).startsWith("::ffff:") && bare.indexOf('.') > 0) {
      return bare.substring(7); // an IPv4 client on a dual-stack socket
    }
    String[] head = bare.split("::", 2);
    String[] groups = head[0].isEmpty() ? new String[0] : head[0].split(":");
    if (groups.length >= 4) {
      return String.join(":", groups[0], groups[1], groups[2], groups[3]).toLowerCase(Locale.ROOT) + "::/64";
    }
    // "::" inside the first four groups: the missing groups are zeros.
    String[] prefix = new String[] {"0", "0", "0", "0"};
    for (int i = 0; i < groups.length; i++) {
      prefix[i] = groups[i];
    }
    if (head.length == 2) {
      String[] tail = head[1].isEmpty() ? new String[0] : head[1].split(":");
      int missing = 8 - groups.length - tail.length;
      for (int i = 0; i < tail.length; i++) {
        int position = groups.length + missing + i;
        if (position < 4) {
          prefix[position] = tail[i];
        }
      }
    }
    return String.join(":", prefix).toLowerCase(Locale.ROOT) + "::/64";
  }
}
