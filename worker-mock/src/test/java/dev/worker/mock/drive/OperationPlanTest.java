package dev.worker.mock.drive;

import static dev.worker.mock.drive.Fixtures.chunk;
import static org.assertj.core.api.Assertions.assertThat;

import dev.worker.core.ChunkDescriptor;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

final class OperationPlanTest {
    private static final List<ChunkDescriptor> MANIFEST = List.of(chunk(1, 1, 0, 100), chunk(2, 1, 100, 300),
            chunk(3, 2, 50, 60), chunk(4, 2, 60, 70));
    private static final ChunkCatalog CATALOG = ChunkCatalog.of(MANIFEST, OptionalInt.empty());

    @Test
    void operations_areAFunctionOfSeedAndIndex() {
        OperationPlan plan = new OperationPlan(7, OperationMix.defaults(), CATALOG);
        OperationPlan again = new OperationPlan(7, OperationMix.defaults(), CATALOG);
        List<Operation> first = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            first.add(plan.operation(i));
        }
        for (int i = 199; i >= 0; i--) {
            assertThat(again.operation(i)).isEqualTo(first.get(i));
        }
        OperationPlan other = new OperationPlan(8, OperationMix.defaults(), CATALOG);
        long same = 0;
        for (int i = 0; i < 200; i++) {
            same += other.operation(i).equals(first.get(i)) ? 1 : 0;
        }
        assertThat(same).isLessThan(100);
    }

    @Test
    void kinds_followTheMix_andWeightZeroIsNeverDrawn() {
        OperationPlan plan = new OperationPlan(1, OperationMix.parse("download=3,find=1"), CATALOG);
        Map<OpKind, Integer> kinds = new EnumMap<>(OpKind.class);
        for (int i = 0; i < 4000; i++) {
            kinds.merge(plan.operation(i).kind(), 1, Integer::sum);
        }
        assertThat(kinds).containsOnlyKeys(OpKind.DOWNLOAD, OpKind.FIND);
        assertThat(kinds.get(OpKind.DOWNLOAD)).isBetween(2800, 3200);
    }

    @Test
    void findsAndLeases_askForBlocksOfTheChunks_orPastTheirEnd() {
        OperationPlan plan = new OperationPlan(3, OperationMix.parse("find=1,lease=1"), CATALOG);
        int covered = 0;
        for (int i = 0; i < 1000; i++) {
            Operation op = plan.operation(i);
            var dataset = op instanceof Operation.Find f ? f.dataset() : ((Operation.Lease) op).dataset();
            long block = op instanceof Operation.Find f ? f.block() : ((Operation.Lease) op).block();
            boolean holds = MANIFEST.stream().anyMatch(c -> c.datasetId().equals(dataset) && c.range().contains(block));
            if (holds) {
                covered++;
            } else {
                assertThat(block).isGreaterThanOrEqualTo(CATALOG.endOf(dataset));
            }
            if (op instanceof Operation.Lease lease) {
                assertThat(lease.hold()).isLessThanOrEqualTo(OperationPlan.MAX_HOLD);
            }
        }
        assertThat(covered).isBetween(850, 950);
    }

    @Test
    void catalog_takesTheFirstChunksOfTheManifest() {
        ChunkCatalog two = ChunkCatalog.of(MANIFEST, OptionalInt.of(2));
        assertThat(two.chunks()).containsExactly(MANIFEST.get(0), MANIFEST.get(1));
        assertThat(two.datasets()).hasSize(1);
        assertThat(ChunkCatalog.of(MANIFEST, OptionalInt.of(99)).size()).isEqualTo(4);
        OperationPlan plan = new OperationPlan(5, OperationMix.parse("assign=1"), two);
        for (int i = 0; i < 50; i++) {
            assertThat(((Operation.Assign) plan.operation(i)).chunks()).isSubsetOf(two.chunks());
        }
    }
}
