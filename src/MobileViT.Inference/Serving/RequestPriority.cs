namespace MobileViT.Inference.Serving;

/// <summary>
/// How urgent a request is. The batcher takes higher priorities from its queue first and gives each priority its own
/// share of the queue capacity; wait-aware admission refuses lower priorities first, because they wait behind
/// everything above them. <see cref="Normal"/> is the default (and the value 0, so an unset value is normal).
/// </summary>
public enum RequestPriority
{
    Normal = 0,
    High = 1,
    Low = 2,
}
