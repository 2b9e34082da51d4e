namespace MobileViT.Inference.Serving;

/// <summary>
/// Refused at admission: at the model's current drain rate the request would start after its deadline (or too close
/// to it to finish), so it is refused at once instead of queued to expire. Retrying after <see cref="InferenceException.RetryAfter"/>
/// (when the queue ahead is expected to have drained enough), with a longer deadline, or at a higher priority can succeed.
/// </summary>
internal sealed class DeadlineUnmeetableException(string model, TimeSpan predictedFinish, TimeSpan timeout, TimeSpan retryAfter)
    : InferenceException(ErrorKind.DeadlineUnmeetable,
        $"Model '{model}' is overloaded: this request would finish in about {predictedFinish.TotalMilliseconds:0} ms, after its {timeout.TotalMilliseconds:0} ms deadline, so it was not queued. Retry in {retryAfter.TotalSeconds:0.#} s, or with a longer deadline.",
        retryAfter: retryAfter);
