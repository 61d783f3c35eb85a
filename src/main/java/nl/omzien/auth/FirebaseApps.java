package nl.omzien.auth;

import com.google.auth.oauth2.GoogleCredentials;
import com.google.firebase.FirebaseApp;
import com.google.firebase.FirebaseOptions;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.Optional;
import nl.omzien.config.OmzienConfig;

/** The FirebaseApp that verifies ID tokens, from {@code GOOGLE_APPLICATION_CREDENTIALS}. Blocking: worker thread. */
public final class FirebaseApps {
  static final String AUTH_APP = "omzien-auth";

  private FirebaseApps() {
  }

  /** Empty when no credentials are configured. */
  public static Optional<FirebaseApp> forIdTokens(OmzienConfig config) {
    if (config.googleCredentials().isEmpty()) {
      return Optional.empty();
    }
    for (FirebaseApp existing : FirebaseApp.getApps()) {
      if (existing.getName().equals(AUTH_APP)) {
        return Optional.of(existing);
      }
    }
    try (InputStream in = Files.newInputStream(config.googleCredentials().get())) {
      FirebaseOptions.Builder options = FirebaseOptions.builder().setCredentials(GoogleCredentials.fromStream(in));
      config.firebaseProjectId().ifPresent(options::setProjectId);
      return Optional.of(FirebaseApp.initializeApp(options.build(), AUTH_APP));
    } catch (IOException e) {
      throw new UncheckedIOException("could not read GOOGLE_APPLICATION_CREDENTIALS: " + e.getMessage(), e);
    }
  }
}
