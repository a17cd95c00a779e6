package dev.hcdiff.cli;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Checks where a command will write before it does any work, so a bad target is a usage error
 * (exit 2) up front rather than a failure after a long replay or campaign.
 */
final class OutputTargets {

    private OutputTargets() {
    }

    /** A file to create or replace: not a directory, and its parent directory exists. */
    static void checkFile(Path file, String option) {
        if (Files.isDirectory(file)) {
            throw CliException.usage(option + " " + file + " is a directory; give a file name");
        }
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null && !Files.isDirectory(parent)) {
            throw CliException.usage(option + " " + file + ": directory " + parent + " does not exist");
        }
    }

    /** A directory to create or fill: it is one already, or nothing is in its way. */
    static void checkDirectory(Path dir, String option) {
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw CliException.usage(option + " " + dir + " is a file, not a directory");
        }
    }
}
