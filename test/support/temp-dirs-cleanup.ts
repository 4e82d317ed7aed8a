/** setupFilesAfterEnv: removes the directories a test file made with tempDir(), after the file. */
import { removeTempDirs } from './temp-dirs';

afterAll(removeTempDirs);
