from kg.cli import run

if __name__ == "__main__":  # not when a spawned process imports this module
    run()
