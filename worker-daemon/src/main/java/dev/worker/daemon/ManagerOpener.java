package dev.worker.daemon;

import dev.worker.core.DataManager;
import dev.worker.core.ManagerConfig;
import dev.worker.core.WorkerDataManager;
import java.io.IOException;

/** Opens the data manager (tests substitute their own). */
@FunctionalInterface
public interface ManagerOpener {
    ManagerOpener DEFAULT = WorkerDataManager::open;

    DataManager open(ManagerConfig config) throws IOException;
}
