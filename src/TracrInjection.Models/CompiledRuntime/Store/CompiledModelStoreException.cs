namespace TracrInjection.Models.CompiledRuntime;

/// <summary>A compiled-model folder that cannot be written or read; the message names the file and the problem.</summary>
public sealed class CompiledModelStoreException(string message, Exception? inner = null) : IOException(message, inner);
