package dev.worker.mock.drive;

import static dev.worker.mock.drive.Fixtures.chunk;
import static org.assertj.core.api.Assertions.assertThat;

import dev.worker.core.ChunkDescriptor;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class ContentCheckTest {
    private static final ChunkDescriptor A = chunk(1, 1, 0, 100, "first file", "second");

    @TempDir
    Path dir;

    private void write(String a, String b) throws Exception {
        Files.writeString(dir.resolve("a.bin"), a);
        Files.writeString(dir.resolve("b.bin"), b);
        Files.writeString(dir.resolve("chunk.json"), "{}");
    }

    @Test
    void matchingFiles_haveNoProblem() throws Exception {
        write("first file", "second");
        ContentCheck.Result result = ContentCheck.verify(dir, A);
        assertThat(result.problems()).isEmpty();
        assertThat(result.files()).isEqualTo(2);
        assertThat(result.bytes()).isEqualTo(16);
    }

    @Test
    void aChangedByte_aWrongSize_aMissingFile_andAStrayFile_areEachNamed() throws Exception {
        write("first fil3", "second!");
        Files.writeString(dir.resolve("stray.tmp"), "x");
        assertThat(ContentCheck.verify(dir, A).problems()).satisfiesExactlyInAnyOrder(
                p -> assertThat(p).startsWith(dir.resolve("a.bin") + " has sha256 "),
                p -> assertThat(p).isEqualTo(dir.resolve("b.bin") + " has 7 bytes, the manifest says 6"),
                p -> assertThat(p).isEqualTo(dir.resolve("stray.tmp") + " is not a file of the chunk"));
        Files.delete(dir.resolve("b.bin"));
        assertThat(ContentCheck.verify(dir, A).problems()).contains(dir.resolve("b.bin") + " is missing");
    }

    @Test
    void aMissingDirectory_isOneProblem() throws Exception {
        assertThat(ContentCheck.verify(dir.resolve("gone"), A).problems())
                .containsExactly(dir.resolve("gone") + " is missing or not a directory");
    }
}
