from gitops_tool.cli import main

main()
