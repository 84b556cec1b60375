package dev.worker.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class DiskRoomTest {
    private static final long GB = 1_000_000_000L;

    @TempDir
    Path dir;

    @Test
    void budget_isMaxDisk_whenTheFileSystemHasMoreRoom() {
        assertThat(DiskRoom.budget(100 * GB, GB, 40 * GB, 500 * GB)).isEqualTo(100 * GB);
    }

    @Test
    void budget_isUsedPlusFreeAboveTheFloor_whenThatIsLess() {
        assertThat(DiskRoom.budget(100 * GB, GB, 40 * GB, 21 * GB)).isEqualTo(60 * GB);
        assertThat(DiskRoom.budget(0, GB, 40 * GB, 21 * GB)).as("no --max-disk").isEqualTo(60 * GB);
    }

    @Test
    void budget_isWhatIsUsed_whenTheFileSystemIsBelowTheFloor() {
        assertThat(DiskRoom.budget(100 * GB, 10 * GB, 40 * GB, 5 * GB)).isEqualTo(40 * GB);
    }

    @Test
    void applyAsLong_readsTheFileSystemOfADataDirNotYetMade() throws Exception {
        long usable = Files.getFileStore(dir).getUsableSpace();
        long budget = new DiskRoom(dir.resolve("not/yet"), 0, 0).applyAsLong(7);
        // Free space moves as others write: the budget is about what this file system holds, nothing more.
        assertThat(budget).isGreaterThan(7).isLessThanOrEqualTo(7 + usable + usable / 10);
        assertThat(new DiskRoom(dir.resolve("not/yet"), 1000, 0).applyAsLong(7)).isEqualTo(1000);
    }
}
