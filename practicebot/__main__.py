from practicebot.cli import main

main()
