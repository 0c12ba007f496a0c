using System.Runtime.InteropServices;

namespace TracrInjection.Cli;

/// <summary>
/// Ctrl+C, SIGTERM and SIGHUP as a cancellation token for long jobs. The signal's default action
/// (ending the process) is suppressed, so the job finishes its current step and writes its
/// checkpoint however long that takes: System.CommandLine's own handling would kill the process
/// two seconds after the signal, which could fall in the middle of a checkpoint and lose the newest
/// state. A second Ctrl+C while stopping is left to its default action, as a way out.
/// </summary>
public sealed class StopSignals : IDisposable
{
    readonly CancellationTokenSource _stop = new();
    readonly List<PosixSignalRegistration> _registrations = [];

    public StopSignals()
    {
        foreach (var signal in new[] { PosixSignal.SIGINT, PosixSignal.SIGTERM, PosixSignal.SIGHUP })
        {
            try
            {
                _registrations.Add(PosixSignalRegistration.Create(signal, OnSignal));
            }
            catch (PlatformNotSupportedException)
            {
                // SIGHUP does not exist on Windows; Ctrl+C and termination still arrive there.
            }
        }
    }

    public CancellationToken Token => _stop.Token;

    /// <summary>The signal that asked the job to stop, if one did.</summary>
    public PosixSignal? Received { get; private set; }

    void OnSignal(PosixSignalContext context)
    {
        if (_stop.IsCancellationRequested && context.Signal == PosixSignal.SIGINT) return;
        context.Cancel = true;
        Received ??= context.Signal;
        _stop.Cancel();
    }

    /// <summary>Runs <paramref name="body"/> with a token that the stop signals cancel.</summary>
    public static T Run<T>(Func<CancellationToken, T> body, CancellationToken outer = default)
    {
        using var signals = new StopSignals();
        using var link = CancellationTokenSource.CreateLinkedTokenSource(outer, signals.Token);
        return body(link.Token);
    }

    public void Dispose()
    {
        foreach (var r in _registrations) r.Dispose();
        _stop.Dispose();
    }
}
