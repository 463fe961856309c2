using BenchmarkDotNet.Running;

// dotnet run -c Release --project bench/Domu.Benchmarks -- --filter '*'
BenchmarkSwitcher.FromAssembly(typeof(Domu.Benchmarks.WindowReportBenchmarks).Assembly).Run(args);
