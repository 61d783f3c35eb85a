package nl.omzien.push;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Renders the visible title and body of a push from per-language templates in
 * {@code src/main/resources/push/templates_<lang>.properties} (UTF-8). Dutch is the default; English is
 * used when asked for; any other language falls back to Dutch.
 *
 * <p>A template may only use the placeholders of {@link TemplateParam} that its {@link PushKind} declares
 * ({@code {helpKind}}, {@code {when}}, {@code {distance}}, {@code {count}}, {@code {lead}}). Loading fails
 * when a template is missing or uses any other placeholder, so a template cannot ask for a name or an
 * address. Instances are immutable and thread-safe.
 */
public final class PushTemplates {

    /** Dutch, the default and fallback language. */
    public static final Locale NL = Locale.forLanguageTag("nl");
    /** English. */
    public static final Locale EN = Locale.ENGLISH;
    /** The languages a push can be rendered in. */
    public static final Set<Locale> SUPPORTED = Set.of(NL, EN);
    /** Times in pushes are local Utrecht time. */
    public static final ZoneId ZONE = ZoneId.of("Europe/Amsterdam");

    private static final Pattern PLACEHOLDER = Pattern.compile("\\{([^{}]*)}");
    private static final String RESOURCE = "push/templates_%s.properties";

    /** Visible text of one push. */
    public record Rendered(Locale locale, String title, String body) {
    }

    private final Map<Locale, Properties> bundles;
    private final Map<Locale, DateTimeFormatter> whenFormats;
    /** Per kind, the parameters its texts use in any language (in order of first appearance). */
    private final Map<PushKind, List<TemplateParam>> needs;

    private PushTemplates(Map<Locale, Properties> bundles) {
        this.bundles = bundles;
        this.whenFormats = Map.of(
                NL, formatter(bundles.get(NL), NL),
                EN, formatter(bundles.get(EN), EN));
        this.needs = validate();
    }

    /**
     * Loads and checks the templates from the classpath.
     *
     * @throws IllegalStateException when a template is missing or uses a placeholder it may not use
     */
    public static PushTemplates load() {
        return new PushTemplates(Map.of(NL, read(NL), EN, read(EN)));
    }

    /**
     * Templates from given Dutch and English properties, checked like {@link #load()}; for tests and tools.
     *
     * @throws IllegalStateException when a template is missing or uses a placeholder it may not use
     */
    static PushTemplates of(Properties nl, Properties en) {
        return new PushTemplates(Map.of(NL, nl, EN, en));
    }

    /** The language a push is rendered in: {@code en} for English, Dutch for anything else (or null). */
    public static Locale resolve(Locale requested) {
        if (requested != null && EN.getLanguage().equals(requested.getLanguage())) {
            return EN;
        }
        return NL;
    }

    /**
     * Renders title and body of a kind.
     *
     * @throws IllegalArgumentException when the template uses a parameter that {@code params} lacks
     */
    public Rendered render(PushKind kind, Locale requested, PushParams params) {
        Locale locale = resolve(requested);
        Properties bundle = bundles.get(locale);
        String title = fill(kind, locale, bundle.getProperty(kind.wireName() + ".title"), params);
        String body = fill(kind, locale, bundle.getProperty(kind.wireName() + ".body"), params);
        return new Rendered(locale, title, body);
    }

    /**
     * Checks that a kind renders with {@code params} in every language, without rendering: the same answer as
     * {@link #render} in Dutch and English (the outbox checks every push it writes; rendering each twice, dates
     * formatted and all, was ~7 % of the server's CPU samples in the accept load run).
     *
     * @throws IllegalArgumentException when a text of the kind uses a parameter that {@code params} lacks
     */
    public void check(PushKind kind, PushParams params) {
        for (TemplateParam p : needs.get(kind)) {
            if (!params.has(p)) {
                throw new IllegalArgumentException(kind.wireName() + " text needs parameter " + p.placeholder());
            }
        }
    }

    /**
     * Renders a complete message for one device. {@code urgent} is honoured only for kinds that
     * {@linkplain PushKind#mayBeUrgent() may be urgent} and ignored otherwise.
     *
     * @param ids exactly the {@link PushKind#refs()} of the kind
     */
    public PushMessage message(UUID messageId, PushKind kind, String token, Locale requested, boolean urgent,
                               Map<PushRef, UUID> ids, PushParams params) {
        boolean effectiveUrgent = urgent && kind.mayBeUrgent();
        Rendered text = render(kind, requested, params);
        return new PushMessage(messageId, kind, token, text.locale(), effectiveUrgent,
                PushMessage.dataPayload(messageId, kind, effectiveUrgent, ids), text.title(), text.body());
    }

    /** The raw template of a kind ({@code part} is {@code title} or {@code body}), for checks and docs. */
    public String template(PushKind kind, Locale locale, String part) {
        return bundles.get(resolve(locale)).getProperty(kind.wireName() + "." + part);
    }

    /** The placeholder names used in a template, in order of appearance. */
    public static Set<String> placeholders(String template) {
        Set<String> names = new LinkedHashSet<>();
        Matcher m = PLACEHOLDER.matcher(template);
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }

    /** The distance band shown for a distance in metres, e.g. {@code 1-2 km}. */
    public static String distanceBand(int meters) {
        if (meters < 500) {
            return "< 500 m";
        } else if (meters < 1000) {
            return "500 m - 1 km";
        } else if (meters < 2000) {
            return "1-2 km";
        } else if (meters < 5000) {
            return "2-5 km";
        }
        return "> 5 km";
    }

    private String fill(PushKind kind, Locale locale, String template, PushParams params) {
        Map<TemplateParam, String> values = new EnumMap<>(TemplateParam.class);
        for (TemplateParam p : kind.params()) {
            if (params.has(p)) {
                values.put(p, value(p, locale, params));
            }
        }
        Matcher m = PLACEHOLDER.matcher(template);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            TemplateParam p = TemplateParam.byPlaceholder(m.group(1));
            String value = values.get(p);
            if (value == null) {
                throw new IllegalArgumentException(kind.wireName() + " text needs parameter " + m.group(1));
            }
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        m.appendTail(out);
        return out.toString();
    }

    private String value(TemplateParam p, Locale locale, PushParams params) {
        Properties bundle = bundles.get(locale);
        return switch (p) {
            case HELP_KIND -> bundle.getProperty("help." + params.helpKind(), bundle.getProperty("help.other"));
            case WHEN -> whenFormats.get(locale).format(params.when());
            case DISTANCE -> distanceBand(params.distanceMeters());
            case COUNT -> Integer.toString(params.count());
            case LEAD -> bundle.getProperty("lead." + params.lead().code());
        };
    }

    /** Checks every template; returns per kind the parameters its texts use (for {@link #check}). */
    private Map<PushKind, List<TemplateParam>> validate() {
        Map<PushKind, Set<TemplateParam>> used = new EnumMap<>(PushKind.class);
        for (Locale locale : List.of(NL, EN)) {
            Properties bundle = bundles.get(locale);
            for (String key : List.of("help.other", "when.format", "lead.24h", "lead.1h")) {
                requireKey(bundle, locale, key);
            }
            for (PushKind kind : PushKind.values()) {
                for (String part : List.of("title", "body")) {
                    String template = requireKey(bundle, locale, kind.wireName() + "." + part);
                    for (String name : placeholders(template)) {
                        TemplateParam p = TemplateParam.byPlaceholder(name);
                        if (p == null || !kind.params().contains(p)) {
                            throw new IllegalStateException("template " + kind.wireName() + "." + part + " (" + locale
                                    + ") uses {" + name + "}, allowed: " + kind.params());
                        }
                        used.computeIfAbsent(kind, k -> new LinkedHashSet<>()).add(p);
                    }
                }
            }
        }
        Map<PushKind, List<TemplateParam>> needs = new EnumMap<>(PushKind.class);
        for (PushKind kind : PushKind.values()) {
            needs.put(kind, List.copyOf(used.getOrDefault(kind, Set.of())));
        }
        return needs;
    }

    private static String requireKey(Properties bundle, Locale locale, String key) {
        String value = bundle.getProperty(key);
        if (value == null || value.isBlank()) {
            throw new IllegalStateException("push template " + key + " missing for " + locale);
        }
        return value;
    }

    private static DateTimeFormatter formatter(Properties bundle, Locale locale) {
        return DateTimeFormatter.ofPattern(requireKey(bundle, locale, "when.format"), locale).withZone(ZONE);
    }

    private static Properties read(Locale locale) {
        String path = String.format(RESOURCE, locale.getLanguage());
        try (InputStream in = PushTemplates.class.getClassLoader().getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("push templates not found on classpath: " + path);
            }
            Properties p = new Properties();
            p.load(new InputStreamReader(in, StandardCharsets.UTF_8));
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + path, e);
        }
    }
}
