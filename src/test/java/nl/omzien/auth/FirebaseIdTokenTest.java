package nl.omzien.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.api.client.http.LowLevelHttpRequest;
import com.google.api.client.http.LowLevelHttpResponse;
import com.google.api.client.testing.http.MockHttpTransport;
import com.google.api.client.testing.http.MockLowLevelHttpRequest;
import com.google.api.client.testing.http.MockLowLevelHttpResponse;
import com.google.auth.oauth2.AccessToken;
import com.google.auth.oauth2.GoogleCredentials;
import com.google.firebase.FirebaseApp;
import com.google.firebase.FirebaseOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.sqlclient.Tuple;
import java.io.FileInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.Certificate;
import java.util.Base64;
import java.util.Date;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import nl.omzien.testing.BlockedThreadWatch;
import nl.omzien.testing.TestApp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Firebase ID tokens go through the real firebase-admin verifier. Google's signing certificates are served by a
 * mock HTTP transport with a certificate made here (keytool), so tokens signed with its key are genuine as far
 * as the SDK can tell, and anything else is not.
 */
@DisplayName("Firebase ID tokens")
@ExtendWith(BlockedThreadWatch.class)
class FirebaseIdTokenTest {
  private static final String PROJECT = "omzien-test";
  private static final String KID = "test-key-1";
  private static TestApp app;
  private static PrivateKey signingKey;
  private static PrivateKey otherKey;

  @BeforeAll
  static void start() throws Exception {
    Path dir = TestApp.tempDir();
    KeyStore.PrivateKeyEntry google = keyPair(dir, "google");
    signingKey = google.getPrivateKey();
    otherKey = keyPair(dir, "other").getPrivateKey();
    String certs = new JsonObject().put(KID, pem(google.getCertificate())).encode();
    MockHttpTransport transport = new MockHttpTransport() {
      @Override
      public LowLevelHttpRequest buildRequest(String method, String url) {
        return new MockLowLevelHttpRequest(url) {
          @Override
          public LowLevelHttpResponse execute() {
            return new MockLowLevelHttpResponse().setStatusCode(200).setContentType("application/json")
                .addHeader("Cache-Control", "public, max-age=3600").setContent(certs);
          }
        };
      }
    };
    FirebaseApp firebase = FirebaseApp.initializeApp(FirebaseOptions.builder()
        .setProjectId(PROJECT)
        .setCredentials(GoogleCredentials.create(new AccessToken("fake", new Date(System.currentTimeMillis() + 3_600_000))))
        .setHttpTransport(transport)
        .build(), "auth-test-" + UUID.randomUUID());
    app = TestApp.start("firebase", Map.of(), Optional.of(firebase));
  }

  @AfterAll
  static void stop() throws Exception {
    app.close();
  }

  private static KeyStore.PrivateKeyEntry keyPair(Path dir, String alias) throws Exception {
    Path store = dir.resolve(alias + ".p12");
    Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
        "-genkeypair", "-alias", alias, "-keyalg", "RSA", "-keysize", "2048", "-dname", "CN=" + alias,
        "-validity", "2", "-storetype", "PKCS12", "-keystore", store.toString(), "-storepass", "changeit",
        "-keypass", "changeit").redirectErrorStream(true).start();
    assertEquals(0, keytool.waitFor(), new String(keytool.getInputStream().readAllBytes()));
    KeyStore keyStore = KeyStore.getInstance("PKCS12");
    try (FileInputStream in = new FileInputStream(store.toFile())) {
      keyStore.load(in, "changeit".toCharArray());
    }
    return (KeyStore.PrivateKeyEntry) keyStore.getEntry(alias,
        new KeyStore.PasswordProtection("changeit".toCharArray()));
  }

  private static String pem(Certificate certificate) throws Exception {
    return "-----BEGIN CERTIFICATE-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(certificate.getEncoded())
        + "\n-----END CERTIFICATE-----\n";
  }

  private static String idToken(PrivateKey key, String audience, long expiresInSeconds, String uid) throws Exception {
    long now = System.currentTimeMillis() / 1000;
    JsonObject header = new JsonObject().put("alg", "RS256").put("kid", KID).put("typ", "JWT");
    JsonObject payload = new JsonObject()
        .put("iss", "https://securetoken.google.com/" + audience)
        .put("aud", audience)
        .put("auth_time", now - 60)
        .put("iat", now - 60)
        .put("exp", now + expiresInSeconds)
        .put("sub", uid)
        .put("user_id", uid);
    Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
    String signingInput = b64.encodeToString(header.encode().getBytes(StandardCharsets.UTF_8)) + "."
        + b64.encodeToString(payload.encode().getBytes(StandardCharsets.UTF_8));
    Signature signature = Signature.getInstance("SHA256withRSA");
    signature.initSign(key);
    signature.update(signingInput.getBytes(StandardCharsets.US_ASCII));
    return signingInput + "." + b64.encodeToString(signature.sign());
  }

  private static HttpResponse<Buffer> me(String token) throws Exception {
    return app.client().get("/v1/me").bearerTokenAuthentication(token).send().await(10, TimeUnit.SECONDS);
  }

  @Test
  @DisplayName("a genuine token signs the person in; a first sign-in creates them as a resident")
  void genuineToken() throws Exception {
    String uid = "uid-" + UUID.randomUUID();
    String token = idToken(signingKey, PROJECT, 3600, uid);
    var put = app.client().put("/v1/me").bearerTokenAuthentication(token)
        .sendJsonObject(new JsonObject().put("displayName", "Mieke")).await(10, TimeUnit.SECONDS);
    assertEquals(200, put.statusCode(), put::bodyAsString);
    assertEquals("resident", put.bodyAsJsonObject().getJsonArray("roles").getString(0));
    var again = me(token);
    assertEquals(200, again.statusCode());
    assertEquals(put.bodyAsJsonObject().getString("userId"), again.bodyAsJsonObject().getString("userId"),
        "the same Firebase user maps to the same Omzien user");
    var rows = app.app().database().pool()
        .preparedQuery("select count(*) from app_user where external_subject = $1")
        .execute(Tuple.of("firebase:" + uid)).await(10, TimeUnit.SECONDS);
    assertEquals(1L, rows.iterator().next().getLong(0));
  }

  @Test
  @DisplayName("a token signed with another key, for another project, or expired is 401")
  void refused() throws Exception {
    String uid = "uid-" + UUID.randomUUID();
    assertEquals(401, me(idToken(otherKey, PROJECT, 3600, uid)).statusCode(), "forged signature");
    assertEquals(401, me(idToken(signingKey, "someone-elses-project", 3600, uid)).statusCode(), "wrong audience/issuer");
    assertEquals(401, me(idToken(signingKey, PROJECT, -600, uid)).statusCode(), "expired");
    var rows = app.app().database().pool()
        .preparedQuery("select count(*) from app_user where external_subject = $1")
        .execute(Tuple.of("firebase:" + uid)).await(10, TimeUnit.SECONDS);
    assertEquals(0L, rows.iterator().next().getLong(0), "no user is created for a refused token");
  }
}
