# Respostas de alunos imaginários ao caderno 02_quantizacao_pytorch, para provar que a avaliação é
# justa. Cada secção é o conteúdo completo de uma célula de solução, como um aluno a escreveria:
#   # %% certa <grade_id>: <descrição>    escrita de outra forma que a referência: nota máxima
#   # %% errada <grade_id>: <descrição>   um erro típico, que perde pontos
#   # falha: <célula de teste>, ...         as células de teste que o têm de apanhar
#   # aluno: meio_certo                     (opcional) o erro do aluno «meio certo» (make avaliar)
# Formato e leitura: autograder/ler_variantes.py; usado por tests/avaliacao/test_exercicios.py e por
# autograder/turma_demo.py. Os nomes que a resposta não define (np, keras, ...) são os do caderno.
# Entre os erros típicos está o código do texto do módulo.
# O aluno «meio certo»: acerta no tamanho (referência), copia a quantização do texto e usa a média
# em vez da mediana.


# %% certa quantizar_modelo_pytorch: quantize_dynamic com qconfig_spec por tipo e cópia via state_dict
def quantizar_modelo_pytorch(modelo: torch.nn.Module) -> torch.nn.Module:
    from torch.ao.quantization import default_dynamic_qconfig, quantize_dynamic

    dispositivo.configurar_motor_quantizado()
    copia = copy.deepcopy(modelo)
    copia = copia.to("cpu", torch.float32)
    copia.eval()
    return quantize_dynamic(copia, qconfig_spec={nn.Linear: default_dynamic_qconfig})


# %% certa quantizar_modelo_pytorch: quantize_dynamic chamado diretamente (o torch avisa que está obsoleto)
# A resposta mais comum: quantize_dynamic chamado diretamente, sem calar nada. O torch emite
# um DeprecationWarning atribuído à célula do aluno (__main__), que o IPython mostra em stderr
# nas células de teste que chamam a função; a avaliação não pode dar 0 por isso
# (docs/invariantes.md#i9-a-avaliacao-nao-perde-nada; tests/avaliacao/test_avisos.py avalia-a com o nbgrader a sério).
def quantizar_modelo_pytorch(modelo: torch.nn.Module) -> torch.nn.Module:
    return torch.ao.quantization.quantize_dynamic(copy.deepcopy(modelo).cpu().float().eval(), {nn.Linear}, dtype=torch.qint8)


# %% certa tamanho_modelo_mb: tamanho com getvalue() e 1024 ** 2
def tamanho_modelo_mb(modelo: torch.nn.Module) -> float:
    with io.BytesIO() as f:
        torch.save(modelo.state_dict(), f)
        return len(f.getvalue()) / 1024 ** 2


# %% certa medir_latencia_ms: latência com statistics.median, time.perf_counter_ns e sem _sincronizar em CPU
import statistics


def medir_latencia_ms(modelo, x, repeticoes: int = 50, aquecimento: int = 5) -> float:
    with torch.inference_mode():
        for _ in range(aquecimento):
            modelo(x)
        tempos = []
        for _ in range(repeticoes):
            t0 = time.perf_counter_ns()
            modelo(x)
            tempos.append((time.perf_counter_ns() - t0) / 1e6)
    return statistics.median(tempos)


# %% certa medir_latencia_ms: latência com barra de progresso do tqdm (escreve em stderr)
# Uma barra de progresso do tqdm escreve em stderr (na célula de teste que chama a função).
from tqdm import tqdm


def medir_latencia_ms(modelo, x, repeticoes: int = 50, aquecimento: int = 5) -> float:
    tempos = []
    with torch.inference_mode():
        for i in tqdm(range(aquecimento + repeticoes), desc="latência"):
            inicio = time.perf_counter()
            modelo(x)
            if i >= aquecimento:
                tempos.append((time.perf_counter() - inicio) * 1000)
    return float(np.median(tempos))


# %% errada quantizar_modelo_pytorch: o código do texto: {Linear, Conv2d} e model.cpu() sem cópia (o Conv2d fica float; eval não)
# falha: teste_quantizar_pytorch_original
# aluno: meio_certo
def quantizar_modelo_pytorch(modelo: torch.nn.Module) -> torch.nn.Module:
    model_cpu = modelo.cpu()
    return torch.quantization.quantize_dynamic(model_cpu, {torch.nn.Linear, torch.nn.Conv2d}, dtype=torch.qint8)


# %% errada quantizar_modelo_pytorch: quantiza no lugar (inplace=True): o modelo de quem chama perde as Linear
# falha: teste_quantizar_pytorch_original
def quantizar_modelo_pytorch(modelo: torch.nn.Module) -> torch.nn.Module:
    dispositivo.configurar_motor_quantizado()
    modelo.eval()
    return torch.ao.quantization.quantize_dynamic(modelo, {nn.Linear}, dtype=torch.qint8, inplace=True)


# %% errada quantizar_modelo_pytorch: modelo.float().eval() no original antes de copiar
# falha: teste_quantizar_pytorch_original
def quantizar_modelo_pytorch(modelo: torch.nn.Module) -> torch.nn.Module:
    dispositivo.configurar_motor_quantizado()
    copia = copy.deepcopy(modelo.cpu().float().eval())
    return torch.ao.quantization.quantize_dynamic(copia, {nn.Linear}, dtype=torch.qint8)


# %% errada quantizar_modelo_pytorch: float16 em vez de int8 (dtype=torch.float16)
# falha: teste_quantizar_pytorch_lineares
def quantizar_modelo_pytorch(modelo: torch.nn.Module) -> torch.nn.Module:
    dispositivo.configurar_motor_quantizado()
    copia = copy.deepcopy(modelo).cpu().float().eval()
    return torch.ao.quantization.quantize_dynamic(copia, {nn.Linear}, dtype=torch.float16)


# %% errada tamanho_modelo_mb: o código do texto: temp.p no disco
# falha: teste_tamanho_modelo_mb
import os


def tamanho_modelo_mb(modelo: torch.nn.Module) -> float:
    torch.save(modelo.state_dict(), "temp.p")
    size = os.path.getsize("temp.p") / (1024**2)
    os.remove("temp.p")
    return size


# %% errada tamanho_modelo_mb: MB decimais (10**6) em vez de 2**20
# falha: teste_tamanho_modelo_mb
def tamanho_modelo_mb(modelo: torch.nn.Module) -> float:
    buffer = io.BytesIO()
    torch.save(modelo.state_dict(), buffer)
    return buffer.getbuffer().nbytes / 1e6


# %% errada tamanho_modelo_mb: conta só os tensores (numel × element_size), não o ficheiro serializado
# falha: teste_tamanho_modelo_mb
def tamanho_modelo_mb(modelo: torch.nn.Module) -> float:
    return sum(t.numel() * t.element_size() for t in modelo.state_dict().values()) / 2**20


# %% errada medir_latencia_ms: o código do texto: uma chamada com time.time(), sem aquecimento, em segundos
# falha: teste_latencia_ms
def medir_latencia_ms(modelo, x, repeticoes: int = 50, aquecimento: int = 5) -> float:
    start = time.time()
    _ = modelo(x)
    return time.time() - start


# %% errada medir_latencia_ms: média em vez de mediana
# falha: teste_latencia_mediana
# aluno: meio_certo
def medir_latencia_ms(modelo, x, repeticoes: int = 50, aquecimento: int = 5) -> float:
    with torch.inference_mode():
        for _ in range(aquecimento):
            modelo(x)
        tempos = []
        for _ in range(repeticoes):
            t0 = time.perf_counter()
            modelo(x)
            tempos.append((time.perf_counter() - t0) * 1000)
    return float(np.mean(tempos))


# %% errada medir_latencia_ms: o aquecimento conta para a mediana
# falha: teste_latencia_mediana
def medir_latencia_ms(modelo, x, repeticoes: int = 50, aquecimento: int = 5) -> float:
    tempos = []
    with torch.inference_mode():
        for _ in range(aquecimento + repeticoes):
            t0 = time.perf_counter()
            modelo(x)
            tempos.append((time.perf_counter() - t0) * 1000)
    return float(np.median(tempos))


# %% errada medir_latencia_ms: torch.no_grad() em vez de torch.inference_mode()
# falha: teste_latencia_ms
def medir_latencia_ms(modelo, x, repeticoes: int = 50, aquecimento: int = 5) -> float:
    with torch.no_grad():
        for _ in range(aquecimento):
            modelo(x)
        tempos = []
        for _ in range(repeticoes):
            t0 = time.perf_counter()
            modelo(x)
            tempos.append((time.perf_counter() - t0) * 1000)
    return float(np.median(tempos))
