package nl.omzien.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Token buckets and client addresses for rate limiting")
class TokenBucketsTest {
  private static final long SECOND = 1_000_000_000L;

  @Test
  @DisplayName("a key gets its burst at once, then the sustained rate, and is told how long to wait")
  void burstThenRate() {
    AtomicLong now = new AtomicLong(5 * SECOND);
    TokenBuckets buckets = new TokenBuckets(60, 3, 100, now::get); // 1 per second, 3 at once
    assertEquals(0, buckets.tryAcquire("ria"));
    assertEquals(0, buckets.tryAcquire("ria"));
    assertEquals(0, buckets.tryAcquire("ria"));
    assertEquals(1, buckets.tryAcquire("ria"), "empty: one token is a second away");
    assertEquals(0, buckets.tryAcquire("henk"), "another key has its own bucket");
    now.addAndGet(SECOND / 2);
    assertEquals(1, buckets.tryAcquire("ria"), "half a token is not enough; whole seconds, rounded up");
    now.addAndGet(SECOND / 2);
    assertEquals(0, buckets.tryAcquire("ria"));
    assertEquals(1, buckets.tryAcquire("ria"));
    now.addAndGet(60 * SECOND);
    for (int i = 0; i < 3; i++) {
      assertEquals(0, buckets.tryAcquire("ria"), "refilled up to the burst, not beyond");
    }
    assertEquals(1, buckets.tryAcquire("ria"));
  }

  @Test
  @DisplayName("a slow rate asks for a long wait: 2 per minute means 30 s between requests")
  void longWait() {
    AtomicLong now = new AtomicLong();
    TokenBuckets buckets = new TokenBuckets(2, 1, 100, now::get);
    assertEquals(0, buckets.tryAcquire("k"));
    assertEquals(30, buckets.tryAcquire("k"));
    now.addAndGet(10 * SECOND);
    assertEquals(20, buckets.tryAcquire("k"));
  }

  @Test
  @DisplayName("denied requests take nothing: hammering while limited does not extend the wait")
  void deniedTakesNothing() {
    AtomicLong now = new AtomicLong();
    TokenBuckets buckets = new TokenBuckets(60, 1, 100, now::get);
    assertEquals(0, buckets.tryAcquire("k"));
    for (int i = 0; i < 1000; i++) {
      buckets.tryAcquire("k");
    }
    now.addAndGet(SECOND);
    assertEquals(0, buckets.tryAcquire("k"));
  }

  @Test
  @DisplayName("quiet keys are swept, and past the key limit new keys pass untracked instead of growing memory")
  void sweepAndBound() {
    AtomicLong now = new AtomicLong();
    TokenBuckets buckets = new TokenBuckets(60, 2, 3, now::get);
    buckets.tryAcquire("a");
    buckets.tryAcquire("b");
    buckets.tryAcquire("c");
    assertEquals(3, buckets.size());
    assertEquals(0, buckets.tryAcquire("d"), "untracked, let through");
    assertEquals(3, buckets.size());
    now.addAndGet(SECOND / 10);
    buckets.tryAcquire("a");
    buckets.tryAcquire("a");
    now.addAndGet(SECOND);
    assertEquals(1, buckets.sweep(), "b and c are full again and forgotten; a is still down");
  }

  @Test
  @DisplayName("the client is the TCP peer, or the entry the trusted proxies saw; IPv6 clients count per /64")
  void clientAddress() {
    assertEquals("192.0.2.7", ClientAddress.fromForwardedFor(List.of("10.0.0.1, 192.0.2.7"), 1));
    assertEquals("10.0.0.1", ClientAddress.fromForwardedFor(List.of("10.0.0.1", "192.0.2.7"), 2));
    assertEquals("spoofed", ClientAddress.fromForwardedFor(List.of("spoofed, 192.0.2.7"), 5),
        "fewer hops than proxies: the leftmost is all there is");
    assertNull(ClientAddress.fromForwardedFor(List.of(), 1));
    assertEquals("192.0.2.7", ClientAddress.group("192.0.2.7"));
    assertEquals("192.0.2.7", ClientAddress.group("::ffff:192.0.2.7"));
    assertEquals("2001:db8:1:2::/64", ClientAddress.group("2001:db8:1:2:aaaa:bbbb:cccc:dddd"));
    assertEquals("2001:db8:1:2::/64", ClientAddress.group("[2001:DB8:1:2::1]"));
    assertEquals("2001:db8:0:0::/64", ClientAddress.group("2001:db8::1"));
    assertEquals("0:0:0:0::/64", ClientAddress.group("::1"));
    assertTrue(ClientAddress.group("fe80::1:2:3:4").startsWith("fe80:0:0:0"));
  }
}
