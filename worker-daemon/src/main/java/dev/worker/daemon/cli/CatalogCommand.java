package dev.worker.daemon.cli;

import dev.worker.core.DatasetId;
import dev.worker.core.client.AssignmentDocument;
import dev.worker.core.source.S3Settings;
import dev.worker.daemon.catalog.BucketListing;
import dev.worker.daemon.catalog.Catalog;
import dev.worker.daemon.catalog.ListedObject;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code worker catalog s3://bucket/prefix}: chunk descriptors from a bucket listing. */
@Command(name = "catalog", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Print chunk descriptors for the objects under an S3 prefix, as {\"chunks\": [...]} for "
                + "'worker assign' and 'worker cluster add'.",
                "Each folder named <start>-<end>[-...] (SQD's 0000000000-0000009999-<hash>; <end> is the chunk's last "
                        + "block) is one chunk of blocks [start, end+1); the objects directly in it are its files.",
                "Ids are derived from the dataset, the range, the folder and each file's name, size and ETag: the "
                        + "same listing gives the same ids."})
final class CatalogCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "s3://BUCKET/PREFIX", description = "Where the chunk folders are.")
    String location;

    @Option(names = "--dataset", paramLabel = "NAME",
            description = "The chunks' dataset: a 64-hex id, or a name whose SHA-256 is the id (default: the "
                    + "s3://bucket/prefix argument).")
    String dataset;

    @Mixin
    S3Options s3;

    @Override
    public Integer call() throws Exception {
        URI uri = parseLocation();
        String bucket = uri.getRawAuthority();
        String prefix = uri.getPath() == null || uri.getPath().isEmpty() ? "" : uri.getPath().substring(1);
        S3Settings settings;
        try {
            settings = s3.settings(spec);
            settings.checkUsable();
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage(), e);
        }
        String name = dataset != null ? dataset : "s3://" + bucket + "/" + prefix.replaceAll("/+$", "");
        DatasetId datasetId = Catalog.datasetId(name);
        PrintWriter err = spec.commandLine().getErr();
        AtomicInteger pages = new AtomicInteger();
        List<ListedObject> objects;
        try (HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
                .followRedirects(HttpClient.Redirect.NEVER).build()) {
            objects = new BucketListing(settings, client, Clock.systemUTC()).list(bucket, prefix,
                    n -> pages.incrementAndGet());
        } catch (IOException e) {
            throw new CliException(e.getMessage(), e);
        }
        Catalog.Result result = Catalog.build(bucket, datasetId, objects);
        result.skippedFolders().forEach(f -> err.println("skipped " + f));
        err.println("catalog: " + result.chunks().size() + " chunks of dataset " + datasetId + " from "
                + objects.size() + " objects (" + pages.get() + " listing pages); " + result.skippedObjects()
                + " objects left out");
        spec.commandLine().getOut().println(new String(AssignmentDocument.write(result.chunks()),
                StandardCharsets.UTF_8));
        return 0;
    }

    private URI parseLocation() {
        if (location.regionMatches(true, 0, "s3://", 0, 5)
                && (location.length() == 5 || location.charAt(5) == '/')) {
            throw usage("'" + location + "' has no bucket (expected s3://bucket/prefix)");
        }
        URI uri;
        try {
            uri = new URI(location);
        } catch (URISyntaxException e) {
            throw usage("'" + location + "' is not a URL: " + e.getReason());
        }
        if (uri.getScheme() == null || !uri.getScheme().toLowerCase(Locale.ROOT).equals("s3")) {
            throw usage("expected s3://bucket/prefix, got '" + location + "' (scheme "
                    + (uri.getScheme() == null ? "missing" : uri.getScheme()) + ")");
        }
        if (uri.getRawAuthority() == null || uri.getRawAuthority().isEmpty()) {
            throw usage("'" + location + "' has no bucket (expected s3://bucket/prefix)");
        }
        if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
            throw usage("'" + location + "' must not have a query or fragment");
        }
        return uri;
    }

    private CommandLine.ParameterException usage(String message) {
        return new CommandLine.ParameterException(spec.commandLine(), message);
    }
}
