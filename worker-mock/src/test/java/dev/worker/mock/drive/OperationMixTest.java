package dev.worker.mock.drive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.EnumMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

final class OperationMixTest {
    @Test
    void parse_readsEveryKind_andRoundTripsThroughToString() {
        OperationMix mix = OperationMix.parse("download=50,delete=30,assign=5,find=10,lease=5");
        assertThat(mix.weight(OpKind.DOWNLOAD)).isEqualTo(50);
        assertThat(mix.weight(OpKind.LEASE)).isEqualTo(5);
        assertThat(mix.total()).isEqualTo(100);
        assertThat(mix.toString()).isEqualTo("download=50,delete=30,assign=5,find=10,lease=5");
        assertThat(OperationMix.parse(mix.toString())).isEqualTo(mix);
        assertThat(OperationMix.defaults()).isEqualTo(mix);
    }

    @Test
    void parse_leftOutKindsWeighZero_namesAreCaseInsensitive_spacesAllowed() {
        OperationMix mix = OperationMix.parse(" Download = 3 , FIND=1 ");
        assertThat(mix.weight(OpKind.DOWNLOAD)).isEqualTo(3);
        assertThat(mix.weight(OpKind.FIND)).isEqualTo(1);
        assertThat(mix.weight(OpKind.DELETE)).isZero();
        assertThat(mix.toString()).isEqualTo("download=3,delete=0,assign=0,find=1,lease=0");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "download", "download=", "download=x", "download=-1", "download=1.5",
        "download=+1", "upload=1", "download=1,download=2", "download=0,delete=0", "download=1,,delete=1",
        "download=1000001", "download=99999999999"})
    void parse_rejectsBadInput_sayingWhatIsAccepted(String text) {
        assertThatThrownBy(() -> OperationMix.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("is not an operation mix")
                .hasMessageContaining("download, delete, assign, find, lease");
    }

    @Test
    void parse_namesTheUnknownOperation() {
        assertThatThrownBy(() -> OperationMix.parse("download=1,upload=2"))
                .hasMessageContaining("unknown operation 'upload'");
    }

    @Test
    void pick_fallsOnEachKindInProportionToItsWeight() {
        OperationMix mix = OperationMix.parse("download=2,find=1,lease=1");
        Map<OpKind, Integer> picks = new EnumMap<>(OpKind.class);
        for (int draw = 0; draw < mix.total(); draw++) {
            picks.merge(mix.pick(draw), 1, Integer::sum);
        }
        assertThat(picks).containsExactlyInAnyOrderEntriesOf(Map.of(OpKind.DOWNLOAD, 2, OpKind.FIND, 1,
                OpKind.LEASE, 1));
        assertThatThrownBy(() -> mix.pick(4)).isInstanceOf(IllegalArgumentException.class);
    }
}
