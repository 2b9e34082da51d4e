using MobileViT.Inference.Models;
using MobileViT.Service.Hosting;

var app = MobileViTApp.Create(args);
await app.RunAsync();
// A model that failed to load stopped the host; say so to the process supervisor.
return app.Services.GetRequiredService<ModelRegistry>().AnyFailed ? 1 : 0;
