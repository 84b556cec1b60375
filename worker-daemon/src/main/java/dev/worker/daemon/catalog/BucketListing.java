package dev.worker.daemon.catalog;

import static java.util.Objects.requireNonNull;

import dev.worker.core.source.S3Settings;
import dev.worker.core.source.S3Signer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;

/**
 * Lists the objects under a prefix of a bucket with ListObjectsV2, page after page (1,000 keys each) following the
 * continuation token, every request SigV4-signed with the credentials as they are at that moment.
 */
public final class BucketListing {
    private static final Pattern ERROR_CODE = Pattern.compile("<Code>([A-Za-z0-9._-]{1,64})</Code>");
    private static final XMLInputFactory XML = XMLInputFactory.newFactory();

    static {
        XML.setProperty(XMLInputFactory.SUPPORT_DTD, false);
        XML.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
    }

    /** A listing request the store refused or answered with something that is no listing. */
    public static final class ListingException extends IOException {
        private static final long serialVersionUID = 1L;

        public ListingException(String message) {
            super(message);
        }
    }

    private record Page(List<ListedObject> objects, Optional<String> next) {
    }

    private final S3Settings settings;
    private final S3Signer signer;
    private final HttpClient client;

    public BucketListing(S3Settings settings, HttpClient client, Clock clock) {
        this.settings = requireNonNull(settings, "settings");
        this.client = requireNonNull(client, "client");
        this.signer = new S3Signer(requireNonNull(clock, "clock"));
    }

    /** Every object under {@code prefix}, in key order; {@code pages} hears of each page as it arrives. */
    public List<ListedObject> list(String bucket, String prefix, Consumer<Integer> pages)
            throws IOException, InterruptedException {
        settings.checkUsable();
        List<ListedObject> all = new ArrayList<>();
        Optional<String> token = Optional.empty();
        do {
            Page page = page(bucket, prefix, token);
            all.addAll(page.objects());
            pages.accept(page.objects().size());
            token = page.next();
        } while (token.isPresent());
        return all;
    }

    private Page page(String bucket, String prefix, Optional<String> token) throws IOException, InterruptedException {
        URI uri = settings.listUri(bucket, prefix, token);
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).GET().timeout(Duration.ofMinutes(2));
        List<Map.Entry<String, String>> headers = signer.sign("GET", uri, List.of(),
                settings.credentials().current(), settings.region().orElseThrow());
        headers.forEach(h -> request.header(h.getKey(), h.getValue()));
        HttpResponse<byte[]> response = client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        if (response.statusCode() != 200) {
            Matcher m = ERROR_CODE.matcher(new String(response.body(), StandardCharsets.UTF_8));
            throw new ListingException("listing s3://" + bucket + "/" + prefix + " failed: S3 "
                    + (m.find() ? m.group(1) : "error") + " (HTTP " + response.statusCode() + ")");
        }
        try {
            return parse(response.body());
        } catch (XMLStreamException | RuntimeException e) {
            throw new ListingException("listing s3://" + bucket + "/" + prefix + ": the store's answer is not a "
                    + "ListObjectsV2 result: " + e.getMessage());
        }
    }

    /** Reads a ListBucketResult: its Contents (Key, Size, ETag), IsTruncated and NextContinuationToken. */
    static Page parse(byte[] xml) throws XMLStreamException {
        XMLStreamReader r = XML.createXMLStreamReader(new ByteArrayInputStream(xml));
        List<ListedObject> objects = new ArrayList<>();
        boolean truncated = false;
        String next = null;
        String key = null;
        String etag = "";
        long size = -1;
        boolean inContents = false;
        while (r.hasNext()) {
            int event = r.next();
            if (event == XMLStreamConstants.START_ELEMENT) {
                String name = r.getLocalName();
                switch (name) {
                    case "Contents" -> {
                        inContents = true;
                        key = null;
                        etag = "";
                        size = -1;
                    }
                    case "Key" -> key = inContents ? r.getElementText() : key;
                    case "Size" -> size = inContents ? Long.parseLong(r.getElementText().strip()) : size;
                    case "ETag" -> etag = inContents ? r.getElementText().strip() : etag;
                    case "IsTruncated" -> truncated = Boolean.parseBoolean(r.getElementText().strip());
                    case "NextContinuationToken" -> next = r.getElementText();
                    default -> {
                    }
                }
            } else if (event == XMLStreamConstants.END_ELEMENT && r.getLocalName().equals("Contents")) {
                if (key == null || size < 0) {
                    throw new IllegalArgumentException("an object without Key or Size");
                }
                objects.add(new ListedObject(key, size, etag));
                inContents = false;
            }
        }
        if (truncated && (next == null || next.isEmpty())) {
            throw new IllegalArgumentException("a truncated page without NextContinuationToken");
        }
        return new Page(objects, truncated ? Optional.of(next) : Optional.empty());
    }
}
