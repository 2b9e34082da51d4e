namespace MobileViT.Inference.Models;

/// <summary>
/// One version of a model, loaded once, in its lifecycle: its <see cref="State"/>, moved only through <see cref="MoveTo"/>
/// and only along <see cref="ModelStateMachine"/>'s transitions; the loaded model once there is one; and why it failed.
/// Reloading a version makes a new entry beside the serving one. Health, listings, metrics and admission all read it here.
/// </summary>
public sealed class ModelEntry
{
    private readonly Lock _lock = new();
    private TaskCompletionSource _ready = NewSignal();

    internal ModelEntry(Configuration.ModelOptions options, int version = 1)
    {
        Options = options;
        Version = version;
    }

    public Configuration.ModelOptions Options { get; }

    public string Name => Options.Name;

    /// <summary>The version this entry loads: a repository version's number, 1 for a configured model.</summary>
    public int Version { get; }

    public ModelState State { get; private set; } = ModelState.Loading;

    /// <summary>The loaded model: set when warming ends (<see cref="ModelState.Ready"/>) and kept while it drains.</summary>
    public ServedModel? Served { get; private set; }

    /// <summary>Why loading failed; null unless <see cref="ModelState.Failed"/>.</summary>
    public string? Error { get; private set; }

    /// <summary>Completes when the model is ready; faults when it fails to load.</summary>
    public Task WhenReady
    {
        get
        {
            lock (_lock)
                return _ready.Task;
        }
    }

    /// <summary>Raised after every transition with the state it left, outside the entry's lock.</summary>
    public event Action<ModelEntry, ModelState>? Moved;

    /// <summary>Completes when the model is in <paramref name="state"/> (at once if it is now).</summary>
    public Task WhenIn(ModelState state)
    {
        var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnMoved(ModelEntry entry, ModelState previous)
        {
            if (entry.State == state && reached.TrySetResult())
                Moved -= OnMoved;
        }
        Moved += OnMoved;
        if (State == state && reached.TrySetResult())
            Moved -= OnMoved;
        return reached.Task;
    }

    /// <summary>
    /// Moves to <paramref name="next"/>; <paramref name="served"/> goes with <see cref="ModelState.Ready"/> and
    /// <paramref name="error"/> with <see cref="ModelState.Failed"/>. Throws <see cref="InvalidOperationException"/> for a
    /// transition the state machine does not allow.
    /// </summary>
    internal void MoveTo(ModelState next, ServedModel? served = null, string? error = null)
    {
        ModelState previous;
        lock (_lock)
        {
            previous = State;
            if (!ModelStateMachine.CanMove(previous, next))
                throw new InvalidOperationException($"Model '{Name}' cannot move from {previous.Label()} to {next.Label()}.");
            if (next == ModelState.Ready)
                Served = served ?? throw new ArgumentNullException(nameof(served), "A ready model needs its loaded model.");
            if (next == ModelState.Loading)
            {
                Served = null;
                _ready = NewSignal();
            }
            Error = next == ModelState.Failed ? error : null;
            State = next;
            if (next == ModelState.Ready)
                _ready.TrySetResult();
            else if (next == ModelState.Failed)
                _ready.TrySetException(new InvalidOperationException($"Model '{Name}' failed to load: {error}"));
        }
        Moved?.Invoke(this, previous);
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
