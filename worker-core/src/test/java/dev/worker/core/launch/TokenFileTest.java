package dev.worker.core.launch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class TokenFileTest {
    @TempDir
    Path dir;

    @Test
    void read_stripsSurroundingWhitespace() throws Exception {
        assertThat(TokenFile.read(Files.writeString(dir.resolve("token"), "  s3cret\n"))).isEqualTo("s3cret");
    }

    @Test
    void read_refusesAnEmptyFile_andAMissingOne_namingIt() throws Exception {
        Path blank = Files.writeString(dir.resolve("blank"), " \n");
        assertThatThrownBy(() -> TokenFile.read(blank)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(blank.toString()).hasMessageContaining("is empty");
        assertThatThrownBy(() -> TokenFile.read(dir.resolve("missing"))).isInstanceOf(IOException.class)
                .hasMessageContaining("cannot read token file").hasMessageContaining("missing");
    }
}
