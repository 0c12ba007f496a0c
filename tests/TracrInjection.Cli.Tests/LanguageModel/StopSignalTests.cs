using System.Diagnostics;
using System.Runtime.InteropServices;
using TracrInjection.Cli.LanguageModel;
using TracrInjection.Injection.Corpus;
using TracrInjection.Injection.Pretraining;

namespace TracrInjection.Cli.Tests.LanguageModel;

/// <summary>SIGTERM to a real <c>tracr-inject pretrain</c> process: it checkpoints its newest step and can resume.</summary>
public class StopSignalTests
{
    [DllImport("libc", SetLastError = true)]
    static extern int kill(int pid, int signal);
    const int SigTerm = 15;

    [Fact]
    public void Sigterm_during_pretraining_checkpoints_the_newest_step_and_resume_continues()
    {
        if (!OperatingSystem.IsLinux()) throw new PlatformNotSupportedException("this test sends a POSIX signal");
        using var dir = new TempFolder();
        string corpus = Directory.CreateDirectory(dir["corpus"]).FullName;
        CorpusFiles.WriteDocuments(Path.Combine(corpus, CorpusFiles.TrainFileName),
            Enumerable.Range(0, 30).Select(i => $"The cat number {i} sat on the mat, and the dog number {i} sat on the log.").ToList());
        CorpusFiles.WriteDocuments(Path.Combine(corpus, CorpusFiles.HeldOutFileName), ["The cat sat on the log. The dog sat on the mat."]);
        string run = dir["run"];
        string dll = Path.Combine(AppContext.BaseDirectory, "tracr-inject.dll");
        var psi = new ProcessStartInfo("dotnet", [dll, "pretrain", "--out", run, "--corpus", corpus, "--steps", "1000000", "--layers", "1", "--embd", "16",
            "--heads", "2", "--context", "16", "--batch", "2", "--warmup", "2", "--eval-every", "0", "--checkpoint-minutes", "0", "--threads", "1", "--plain"])
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEndAsync();
        // Checkpoints are written only when the run stops, so the one found afterwards is the signal's.
        string? line;
        while ((line = p.StandardOutput.ReadLine()) is not null && !line.StartsWith("step 50/", StringComparison.Ordinal)) { }
        Assert.NotNull(line);
        Assert.Equal(0, kill(p.Id, SigTerm));
        string rest = p.StandardOutput.ReadToEnd();
        Assert.True(p.WaitForExit(120_000), "the process did not stop after SIGTERM");
        Assert.True(p.ExitCode == LanguageModelCommands.ExitCancelled, $"exit {p.ExitCode}: {rest} {err.Result}");
        Assert.Contains("Stopped at step", rest);

        string checkpoint = PretrainingCheckpoint.Latest(run)!;
        Assert.NotNull(checkpoint);
        var state = PretrainingState.Load(Path.Combine(checkpoint, PretrainingCheckpoint.StateFileName));
        Assert.True(state.Step >= 50, $"checkpoint at step {state.Step}");
        Assert.Contains($"step {state.Step}", rest);

        var resumed = LmCli.Run("pretrain", "--out", run, "--corpus", corpus, "--resume", "--steps", (state.Step + 3).ToString());
        Assert.True(resumed.Code == 0, resumed.Err + resumed.Out);
        Assert.Contains($"Resuming '{run}' at step {state.Step}", resumed.Out);
    }
}
