package nl.omzien.push;

/**
 * The ids a push may carry in its data payload. Ids only: a push never carries names, addresses or
 * anything about a person's health, so the app has to fetch details over the authenticated API.
 */
public enum PushRef {
    OFFER("offerId"),
    REQUEST("requestId"),
    ACTIVITY("activityId");

    private final String dataKey;

    PushRef(String dataKey) {
        this.dataKey = dataKey;
    }

    /** The key under which the id travels in the FCM data payload and the deep-link placeholder name. */
    public String dataKey() {
        return dataKey;
    }
}
