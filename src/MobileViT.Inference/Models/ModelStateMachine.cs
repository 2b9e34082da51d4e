namespace MobileViT.Inference.Models;

/// <summary>The one table of a model's allowed state transitions, and the states in which it takes requests.</summary>
public static class ModelStateMachine
{
    public static bool CanMove(ModelState from, ModelState to) => (from, to) switch
    {
        (ModelState.Loading, ModelState.Tuning or ModelState.Warming or ModelState.Failed or ModelState.Unloaded) => true,
        (ModelState.Tuning, ModelState.Warming or ModelState.Failed or ModelState.Unloaded) => true,
        (ModelState.Warming, ModelState.Ready or ModelState.Failed or ModelState.Unloaded) => true,
        (ModelState.Ready, ModelState.Draining) => true,
        (ModelState.Draining, ModelState.Unloaded) => true,
        (ModelState.Failed or ModelState.Unloaded, ModelState.Loading) => true,
        _ => false,
    };

    /// <summary>The lowercase name protocols and metrics use, e.g. <c>ready</c>.</summary>
    public static string Label(this ModelState state) => state switch
    {
        ModelState.Loading => "loading",
        ModelState.Tuning => "tuning",
        ModelState.Warming => "warming",
        ModelState.Ready => "ready",
        ModelState.Draining => "draining",
        ModelState.Unloaded => "unloaded",
        ModelState.Failed => "failed",
    };
}
