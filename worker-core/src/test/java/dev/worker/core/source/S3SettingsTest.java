package dev.worker.core.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** s3:// URLs, the AWS shared files and how settings are found, as the AWS tools find them. */
final class S3SettingsTest {
    @TempDir
    Path home;

    @Test
    void s3Url_parsesBucketAndDecodedKey_andRoundTrips() {
        S3Location location = S3Location.parse("s3://my-bucket/0000-0099-ab/a%20b.parquet");
        assertThat(location.bucket()).isEqualTo("my-bucket");
        assertThat(location.key()).isEqualTo("0000-0099-ab/a b.parquet");
        assertThat(location.url()).isEqualTo("s3://my-bucket/0000-0099-ab/a%20b.parquet");
        assertThat(S3Location.parse(location.url())).isEqualTo(location);
    }

    @Test
    void s3Url_withoutBucketOrKey_orWithAQuery_isRefusedSayingWhy() {
        assertThatThrownBy(() -> S3Location.parse("s3:///key")).hasMessageContaining("no bucket");
        assertThatThrownBy(() -> S3Location.parse("s3://bucket")).hasMessageContaining("no object key");
        assertThatThrownBy(() -> S3Location.parse("s3://bucket/")).hasMessageContaining("no object key");
        assertThatThrownBy(() -> S3Location.parse("s3://Bad_Bucket/k")).hasMessageContaining("not a valid bucket");
        assertThatThrownBy(() -> S3Location.parse("s3://bucket/k?versionId=1")).hasMessageContaining("query");
    }

    @Test
    void profileFiles_sectionsCommentsAndSubProperties() {
        Map<String, Map<String, String>> config = AwsProfileFile.parse("""
                # comment
                [default]
                region = eu-west-1
                [profile r2]
                region=auto
                s3 =
                  endpoint_url = https://acct.r2.cloudflarestorage.com
                [sso-session x]
                region = nope
                """, true);
        assertThat(config).containsOnlyKeys("default", "r2");
        assertThat(config.get("r2")).containsEntry("region", "auto")
                .containsEntry("s3.endpoint_url", "https://acct.r2.cloudflarestorage.com");
        Map<String, Map<String, String>> credentials = AwsProfileFile.parse("""
                [default]
                aws_access_key_id = AKID ; a comment
                aws_secret_access_key = a#b;c
                """, false);
        assertThat(credentials.get("default")).containsEntry("aws_access_key_id", "AKID")
                .containsEntry("aws_secret_access_key", "a#b;c");
    }

    @Test
    void resolve_flagsWinOverEnvironment_whichWinsOverTheProfile() throws IOException {
        write(".aws/config", "[profile p]\nregion = from-profile\nendpoint_url = http://127.0.0.1:1\n");
        write(".aws/credentials", "[p]\naws_access_key_id = FILE\naws_secret_access_key = file-secret\n");
        Map<String, String> env = Map.of("AWS_PROFILE", "p", "AWS_REGION", "from-env",
                "AWS_ENDPOINT_URL_S3", "http://127.0.0.1:2");

        S3Settings fromEnv = S3Settings.resolve(S3Settings.Options.none(), env, home);
        assertThat(fromEnv.region()).contains("from-env");
        assertThat(fromEnv.endpoint()).contains(URI.create("http://127.0.0.1:2"));
        assertThat(fromEnv.credentials().current().accessKeyId()).isEqualTo("FILE");

        S3Settings fromFlags = S3Settings.resolve(new S3Settings.Options(Optional.of("http://127.0.0.1:3"),
                Optional.of("from-flag"), Optional.empty()), env, home);
        assertThat(fromFlags.region()).contains("from-flag");
        assertThat(fromFlags.objectUri(new S3Location("bkt", "a/b c")))
                .isEqualTo(URI.create("http://127.0.0.1:3/bkt/a/b%20c"));

        S3Settings fromProfile = S3Settings.resolve(S3Settings.Options.none(), Map.of("AWS_PROFILE", "p"), home);
        assertThat(fromProfile.region()).contains("from-profile");
        assertThat(fromProfile.endpoint()).contains(URI.create("http://127.0.0.1:1"));
    }

    @Test
    void resolve_keysInTheEnvironment_areUsedUnlessAProfileIsNamedOnTheCommandLine() throws IOException {
        write(".aws/credentials", "[p]\naws_access_key_id = FILE\naws_secret_access_key = file-secret\n");
        Map<String, String> env = Map.of("AWS_ACCESS_KEY_ID", "ENV", "AWS_SECRET_ACCESS_KEY", "env-secret",
                "AWS_SESSION_TOKEN", "tok", "AWS_REGION", "r");
        assertThat(S3Settings.resolve(S3Settings.Options.none(), env, home).credentials().current())
                .isEqualTo(new S3Credentials("ENV", "env-secret", Optional.of("tok")));
        S3Settings named = S3Settings.resolve(new S3Settings.Options(Optional.empty(), Optional.empty(),
                Optional.of("p")), env, home);
        assertThat(named.credentials().current().accessKeyId()).isEqualTo("FILE");
    }

    @Test
    void resolve_withoutEndpoint_usesAwsVirtualHostedUrls() {
        S3Settings aws = S3Settings.resolve(S3Settings.Options.none(), Map.of("AWS_REGION", "eu-central-1"), home);
        assertThat(aws.objectUri(S3Location.parse("s3://bkt/k"))).isEqualTo(
                URI.create("https://bkt.s3.eu-central-1.amazonaws.com/k"));
        assertThat(aws.objectUri(S3Location.parse("s3://b.k.t/k"))).isEqualTo(
                URI.create("https://s3.eu-central-1.amazonaws.com/b.k.t/k"));
        assertThat(aws.listUri("bkt", "a/b c/", Optional.of("tok/+="))).isEqualTo(URI.create(
                "https://bkt.s3.eu-central-1.amazonaws.com/"
                        + "?continuation-token=tok%2F%2B%3D&list-type=2&prefix=a%2Fb%20c%2F"));
    }

    @Test
    void resolve_aNamedProfileThatIsNowhere_orAMissingRegion_isRefusedSayingWhy() {
        assertThatThrownBy(() -> S3Settings.resolve(S3Settings.Options.none(), Map.of("AWS_PROFILE", "ghost"), home))
                .hasMessageContaining("AWS profile 'ghost'");
        S3Settings noRegion = S3Settings.resolve(S3Settings.Options.none(), Map.of(), home);
        assertThatThrownBy(noRegion::checkUsable).hasMessageContaining("need a region");
        assertThatThrownBy(() -> S3Settings.resolve(new S3Settings.Options(Optional.of("ftp://x"), Optional.empty(),
                Optional.empty()), Map.of(), home)).hasMessageContaining("http or https");
        assertThatThrownBy(() -> S3Settings.resolve(S3Settings.Options.none(), Map.of("AWS_ACCESS_KEY_ID", "A"),
                home)).hasMessageContaining("set together");
    }

    @Test
    void resolve_anUnreadableNamedProfile_isRefused() throws IOException {
        Path config = write(".aws/config", "[profile p]\nregion = r\n");
        Files.delete(config);
        Files.createDirectory(config); // reading a directory fails whoever runs the test, root included
        assertThatThrownBy(() -> S3Settings.resolve(S3Settings.Options.none(), Map.of("AWS_PROFILE", "p"), home))
                .hasMessageContaining("cannot read").hasMessageContaining("config");
    }

    @Test
    void profileCredentials_rotatedFile_isReadAgain_andAHalfWrittenOneKeepsTheLast() throws IOException {
        Path file = write(".aws/credentials", "[default]\naws_access_key_id = ONE\naws_secret_access_key = s1\n");
        S3CredentialSource source = S3Settings.resolve(S3Settings.Options.none(), Map.of(), home).credentials();
        assertThat(source.current().accessKeyId()).isEqualTo("ONE");

        Path next = home.resolve("next");
        Files.writeString(next, "[default]\naws_access_key_id = TWO\naws_secret_access_key = s2\n");
        Files.move(next, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        assertThat(source.current()).isEqualTo(new S3Credentials("TWO", "s2", Optional.empty()));
        assertThat(source.toString()).doesNotContain("s2");
    }

    private Path write(String name, String content) throws IOException {
        Path path = home.resolve(name);
        Files.createDirectories(path.getParent());
        Files.writeString(path, content);
        return path;
    }
}
