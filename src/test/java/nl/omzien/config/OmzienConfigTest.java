package nl.omzien.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Configuration from the environment")
class OmzienConfigTest {

  @Test
  @DisplayName("has documented defaults: port 8080, embedded database, demo mode on")
  void defaults() {
    OmzienConfig config = OmzienConfig.from(Map.of());
    assertEquals(8080, config.httpPort());
    assertTrue(config.database().isEmpty());
    assertTrue(config.demo());
    assertTrue(config.dataDir().endsWith("data"));
  }

  @Test
  @DisplayName("turns demo mode off by default when DATABASE_URL names a real server")
  void externalDatabase() {
    OmzienConfig config = OmzienConfig.from(Map.of("DATABASE_URL", "postgres://omzien:s%40cret@db.example:6432/omzien"));
    var url = config.database().orElseThrow();
    assertEquals("db.example", url.host());
    assertEquals(6432, url.port());
    assertEquals("omzien", url.database());
    assertEquals("omzien", url.user());
    assertEquals("s@cret", url.password());
    assertFalse(config.demo());
    assertFalse(url.toString().contains("cret"), "the password never appears in logs");
  }

  @Test
  @DisplayName("accepts jdbc:postgresql and postgresql URLs too, with port 5432 by default")
  void urlForms() {
    assertEquals(5432, OmzienConfig.from(Map.of("DATABASE_URL", "jdbc:postgresql://h/d")).database().orElseThrow().port());
    assertEquals("d", OmzienConfig.from(Map.of("DATABASE_URL", "postgresql://u@h:1/d")).database().orElseThrow().database());
  }

  @Test
  @DisplayName("stops with one clear line naming the setting when a value is bad")
  void badValues() {
    var port = assertThrows(ConfigException.class, () -> OmzienConfig.from(Map.of("OMZIEN_HTTP_PORT", "eighty")));
    assertEquals("OMZIEN_HTTP_PORT must be a whole number from 0 to 65535, got 'eighty'", port.getMessage());
    var demo = assertThrows(ConfigException.class, () -> OmzienConfig.from(Map.of("OMZIEN_DEMO", "maybe")));
    assertEquals("OMZIEN_DEMO must be one of true, 1, yes, on, false, 0, no, off, got 'maybe'", demo.getMessage(),
        "the message names every word a yes/no setting takes");
    var url = assertThrows(ConfigException.class, () -> OmzienConfig.from(Map.of("DATABASE_URL", "mysql://h/d")));
    assertTrue(url.getMessage().startsWith("DATABASE_URL"));
    var creds = assertThrows(ConfigException.class,
        () -> OmzienConfig.from(Map.of("GOOGLE_APPLICATION_CREDENTIALS", "/nonexistent/key.json")));
    assertTrue(creds.getMessage().startsWith("GOOGLE_APPLICATION_CREDENTIALS"));
    var secret = assertThrows(ConfigException.class, () -> OmzienConfig.from(Map.of("OMZIEN_JWT_SECRET", "short")));
    assertTrue(secret.getMessage().contains("32 bytes"));
    for (ConfigException e : new ConfigException[] {port, demo, url, creds, secret}) {
      assertFalse(e.getMessage().contains("\n"), "one line");
    }
  }
}
