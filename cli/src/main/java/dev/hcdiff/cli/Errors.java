package dev.hcdiff.cli;

import dev.hcdiff.recorder.guest.BadGuestImage;
import dev.hcdiff.recorder.guest.thirdparty.GuestUnavailable;
import dev.hcdiff.recorder.kvm.KvmUnavailable;
import dev.hcdiff.trace.TraceFormatException;
import picocli.CommandLine;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NotDirectoryException;
import java.nio.file.NoSuchFileException;
import java.util.List;

/**
 * Turns every failure into one line on stderr and the exit code of the CLI contract
 * ({@link ExitCodes}); a stack trace only for an internal error under {@code --debug}.
 */
final class Errors {

    private Errors() {
    }

    static int onUsageError(CommandLine.ParameterException ex, String[] args) {
        CommandLine cl = ex.getCommandLine();
        String name = cl.getCommandSpec().qualifiedName();
        cl.getErr().printf("%s: %s (see '%s --help')%n", name, firstLine(ex.getMessage()), name);
        return ExitCodes.USAGE;
    }

    static int onExecutionError(Exception ex, CommandLine cl, CommandLine.ParseResult parseResult) {
        String name = cl.getCommandSpec().qualifiedName();
        int code = exitCodeOf(ex);
        if (code == ExitCodes.INTERNAL) {
            cl.getErr().printf("%s: internal error: %s (a bug in hcdiff; rerun with --debug for the trace)%n",
                    name, describe(ex));
            if (debug(parseResult)) {
                ex.printStackTrace(cl.getErr());
            }
        } else {
            cl.getErr().printf("%s: %s%n", name, firstLine(messageOf(ex)));
            if (debug(parseResult)) {
                ex.printStackTrace(cl.getErr());
            }
        }
        return code;
    }

    /** What escaped even picocli: one line, exit 70. */
    static int onFatal(Throwable t, boolean debug, java.io.PrintWriter err) {
        err.printf("hcdiff: internal error: %s (a bug in hcdiff; rerun with --debug for the trace)%n", describe(t));
        if (debug) {
            t.printStackTrace(err);
        }
        err.flush();
        return ExitCodes.INTERNAL;
    }

    /**
     * Input problems are 3, output targets the user must change are 2 (an existing target, a
     * target whose parent is not a directory), the machine's problems are 4; anything else is a bug.
     */
    static int exitCodeOf(Throwable ex) {
        return switch (ex) {
            case CliException c -> c.exitCode();
            case TraceFormatException t -> ExitCodes.BAD_INPUT;
            case KvmUnavailable k -> ExitCodes.ENVIRONMENT;
            case GuestUnavailable g -> ExitCodes.ENVIRONMENT;
            case BadGuestImage b -> ExitCodes.BAD_INPUT;
            case NoSuchFileException n -> ExitCodes.BAD_INPUT;
            case AccessDeniedException a -> ExitCodes.BAD_INPUT;
            case FileAlreadyExistsException f -> ExitCodes.USAGE;
            case NotDirectoryException n -> ExitCodes.USAGE;
            case IOException i -> ExitCodes.ENVIRONMENT;
            default -> ExitCodes.INTERNAL;
        };
    }

    private static String messageOf(Exception ex) {
        return switch (ex) {
            case NoSuchFileException n -> "no such file or directory: " + n.getFile();
            case AccessDeniedException a -> "permission denied: " + a.getFile();
            case FileAlreadyExistsException f -> f.getFile() + " already exists"
                    + (f.getReason() != null ? " (" + f.getReason() + ")" : "") + "; choose another target or add --force";
            case NotDirectoryException n -> n.getFile() + " is not a directory";
            default -> ex.getMessage() == null ? ex.getClass().getSimpleName() : ex.getMessage();
        };
    }

    private static String describe(Throwable ex) {
        String m = ex.getMessage();
        return ex.getClass().getSimpleName() + (m == null ? "" : ": " + firstLine(m));
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    private static boolean debug(CommandLine.ParseResult pr) {
        for (CommandLine.ParseResult r = pr; r != null; r = r.subcommand()) {
            if (r.hasMatchedOption("--debug")) {
                return true;
            }
        }
        List<String> original = pr == null ? List.of() : pr.originalArgs();
        return original.contains("--debug");
    }
}
