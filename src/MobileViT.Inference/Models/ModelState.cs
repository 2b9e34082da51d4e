namespace MobileViT.Inference.Models;

public enum ModelState
{
    Loading,
    Ready,
    Failed,
    Draining,
}
