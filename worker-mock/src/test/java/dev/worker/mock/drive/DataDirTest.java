package dev.worker.mock.drive;

import static dev.worker.mock.drive.Fixtures.chunk;
import static org.assertj.core.api.Assertions.assertThat;

import dev.worker.core.ChunkDescriptor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The on-disk checks, on a data directory laid out by hand. */
final class DataDirTest {
    private static final ChunkDescriptor A = chunk(1, 1, 0, 100, "aaaa", "bb");
    private static final ChunkDescriptor B = chunk(2, 1, 100, 200);

    @TempDir
    Path root;

    private Path publish(ChunkDescriptor chunk, String a, String b) throws Exception {
        Path dir = Files.createDirectories(root.resolve("chunks").resolve(chunk.id().toString()));
        Files.writeString(dir.resolve("a.bin"), a);
        Files.writeString(dir.resolve("b.bin"), b);
        Files.writeString(dir.resolve("chunk.json"), "{}");
        return dir;
    }

    @Test
    void residue_isNothing_forAnEmptyOrMissingLayout() throws Exception {
        assertThat(new DataDir(root).residue(Set.of()).clean()).isTrue();
        Files.createDirectories(root.resolve("tmp"));
        Files.createDirectories(root.resolve("trash"));
        publish(A, "aaaa", "bb");
        Residue residue = new DataDir(root).residue(Set.of(A.id()));
        assertThat(residue.clean()).isTrue();
        assertThat(residue).isEqualTo(new Residue(List.of(), List.of(), List.of(), List.of()));
    }

    @Test
    void residue_namesWhatIsLeft() throws Exception {
        publish(A, "aaaa", "bb");
        publish(B, "x", "y");
        Path tmp = Files.createDirectories(root.resolve("tmp"));
        Files.createDirectories(tmp.resolve(B.id() + ".3"));
        Files.writeString(tmp.resolve(B.id() + ".3.resume"), "{}");
        Files.writeString(tmp.resolve(A.id() + ".1.resume"), "{}");
        Files.createDirectories(root.resolve("trash").resolve(B.id() + ".0"));

        Residue residue = new DataDir(root).residue(Set.of(A.id()));

        assertThat(residue.clean()).isFalse();
        assertThat(residue.chunks()).containsExactly(B.id().toString());
        assertThat(residue.tmp()).containsExactly(B.id() + ".3", B.id() + ".3.resume");
        assertThat(residue.orphanResume()).containsExactly(A.id() + ".1.resume");
        assertThat(residue.trash()).containsExactly(B.id() + ".0");
    }

    @Test
    void onlyOrphanedResumeFiles_countAsClean() throws Exception {
        Path tmp = Files.createDirectories(root.resolve("tmp"));
        Files.writeString(tmp.resolve(A.id() + ".1.resume"), "{}");
        assertThat(new DataDir(root).residue(Set.of()).clean()).isTrue();
    }

    @Test
    void heldFiles_mustBeThereWithTheManifestSizes() throws Exception {
        Path dir = publish(A, "aaaa", "bb");
        DataDir dataDir = new DataDir(root);
        assertThat(dataDir.heldFileProblems(dir, A.id(), A)).isEmpty();
        assertThat(dataDir.heldFileProblems(dir, A.id(), null)).as("not in the manifest: the directory only")
                .isEmpty();

        Files.writeString(dir.resolve("a.bin"), "aaa");
        Files.delete(dir.resolve("b.bin"));
        assertThat(dataDir.heldFileProblems(dir, A.id(), A)).containsExactly(
                dir.resolve("a.bin") + " has 3 bytes, the manifest says 4", dir.resolve("b.bin") + " is missing");
    }

    @Test
    void heldFiles_mustBeInTheChunksDirectory() throws Exception {
        Path elsewhere = Files.createDirectories(root.resolve("elsewhere"));
        assertThat(new DataDir(root).heldFileProblems(elsewhere, A.id(), null))
                .containsExactly("the daemon reports " + elsewhere + ", not " + root.resolve("chunks")
                        .resolve(A.id().toString()));
        assertThat(new DataDir(root).heldFileProblems(root.resolve("gone"), A.id(), null)).hasSize(2);
    }
}
