package dev.worker.reliability;

import dev.worker.reliability.badinput.BadInputSuite;
import dev.worker.reliability.crash.CrashSuite;
import dev.worker.reliability.fulldisk.FullDiskSuite;
import dev.worker.reliability.refs.RefsSuite;
import dev.worker.reliability.soak.SoakSuite;
import java.util.Arrays;

/** {@code java -jar worker-reliability-all.jar SUITE [options]}: runs one suite (see reliability/*.sh). */
public final class ReliabilityMain {
    private ReliabilityMain() {
    }

    public static void main(String[] args) {
        if (args.length == 0) {
            System.err.println("usage: SUITE [options], SUITE one of crash, soak, bad-input, full-disk, refs");
            System.exit(2);
        }
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        switch (args[0]) {
            case "crash" -> CrashSuite.main(rest);
            case "soak" -> SoakSuite.main(rest);
            case "bad-input" -> BadInputSuite.main(rest);
            case "full-disk" -> FullDiskSuite.main(rest);
            case "refs" -> RefsSuite.main(rest);
            default -> {
                System.err.println("error: unknown suite '" + args[0] + "' (crash, soak, bad-input, full-disk, refs)");
                System.exit(2);
            }
        }
    }
}
