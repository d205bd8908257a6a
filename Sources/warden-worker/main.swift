import WardenWorker

// One call into the worker role; everything else lives in WardenWorker.
Worker.main()
