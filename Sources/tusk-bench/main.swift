print("tusk-bench")
