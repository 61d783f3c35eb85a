package nl.omzien.push;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;

/**
 * One rendered push for one device, ready for a {@link PushSender}. Build it with
 * {@link PushTemplates#message}, which renders the visible text from the per-language templates.
 *
 * <p>The data payload holds only {@code messageId}, {@code kind}, {@code deepLink}, {@code urgent} and the
 * ids of the kind (see {@code mobile-contracts/push/}); the constructor rejects anything else, so personal
 * data cannot slip into it. {@link #toString()} shows neither the token nor the texts, so a message can be
 * logged safely.
 *
 * @param messageId stable id the app uses to drop duplicates (delivery is at least once)
 * @param kind      what the message is about
 * @param token     the FCM registration token of the device
 * @param locale    the language of title and body: {@code nl} or {@code en}
 * @param urgent    deliver with high priority; only allowed when {@link PushKind#mayBeUrgent()}
 * @param data      the FCM data payload (string values only)
 * @param title     the visible title
 * @param body      the visible body
 */
public record PushMessage(UUID messageId, PushKind kind, String token, Locale locale, boolean urgent,
                          Map<String, String> data, String title, String body) {

    public static final String KEY_MESSAGE_ID = "messageId";
    public static final String KEY_KIND = "kind";
    public static final String KEY_DEEP_LINK = "deepLink";
    public static final String KEY_URGENT = "urgent";

    private static final Set<String> BASE_KEYS = Set.of(KEY_MESSAGE_ID, KEY_KIND, KEY_DEEP_LINK, KEY_URGENT);

    public PushMessage {
        Objects.requireNonNull(messageId, "messageId");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(locale, "locale");
        Objects.requireNonNull(title, "title");
        Objects.requireNonNull(body, "body");
        if (token == null || token.isBlank()) {
            throw new IllegalArgumentException("token must not be blank");
        }
        if (!PushTemplates.SUPPORTED.contains(locale)) {
            throw new IllegalArgumentException("locale must be nl or en, got " + locale);
        }
        if (urgent && !kind.mayBeUrgent()) {
            throw new IllegalArgumentException(kind.wireName() + " may not be urgent");
        }
        data = Map.copyOf(data);
        checkData(messageId, kind, urgent, data);
    }

    /**
     * The data payload for a kind: messageId, kind, deepLink, urgent and exactly the kind's ids.
     *
     * @throws IllegalArgumentException when an id of the kind is missing or an id of another kind is given
     */
    public static Map<String, String> dataPayload(UUID messageId, PushKind kind, boolean urgent, Map<PushRef, UUID> ids) {
        if (!ids.keySet().equals(kind.refs())) {
            throw new IllegalArgumentException(kind.wireName() + " needs exactly the ids " + kind.refs() + ", got " + ids.keySet());
        }
        Map<String, String> data = new LinkedHashMap<>();
        data.put(KEY_MESSAGE_ID, messageId.toString());
        data.put(KEY_KIND, kind.wireName());
        data.put(KEY_DEEP_LINK, kind.deepLink(ids));
        data.put(KEY_URGENT, Boolean.toString(urgent));
        for (PushRef ref : kind.refs()) {
            data.put(ref.dataKey(), ids.get(ref).toString());
        }
        return data;
    }

    private static void checkData(UUID messageId, PushKind kind, boolean urgent, Map<String, String> data) {
        for (String key : data.keySet()) {
            if (!BASE_KEYS.contains(key) && kind.refs().stream().noneMatch(r -> r.dataKey().equals(key))) {
                throw new IllegalArgumentException("data key not allowed for " + kind.wireName() + ": " + key);
            }
        }
        require(messageId.toString().equals(data.get(KEY_MESSAGE_ID)), "data.messageId must equal messageId");
        require(kind.wireName().equals(data.get(KEY_KIND)), "data.kind must equal kind");
        require(Boolean.toString(urgent).equals(data.get(KEY_URGENT)), "data.urgent must equal urgent");
        String link = data.get(KEY_DEEP_LINK);
        require(link != null && link.startsWith("omzien://"), "data.deepLink must be an omzien:// link");
        for (PushRef ref : kind.refs()) {
            String id = data.get(ref.dataKey());
            require(id != null, "data." + ref.dataKey() + " is required for " + kind.wireName());
            UUID.fromString(id);
        }
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw new IllegalArgumentException(message);
        }
    }

    /** Kind and messageId only: never the token or the texts. */
    @Override
    public String toString() {
        return "PushMessage[kind=" + kind.wireName() + ", messageId=" + messageId + ", urgent=" + urgent + "]";
    }
}
