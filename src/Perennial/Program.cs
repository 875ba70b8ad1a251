using Perennial.Cli;

return await PerennialCli.RunAsync(args);
